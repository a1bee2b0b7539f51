// WWW-Authenticate parser: arbitrary header values from a hostile registry.
#include <cstdint>
#include <string_view>

#include "registry/www_authenticate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = bulwark::registry::parse_www_authenticate(text);
  (void)r;
  return 0;
}
