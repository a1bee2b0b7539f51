// dpkg status / status.d paragraphs and Debian copyright files.
#include <cstdint>
#include <string_view>

#include "catalog/dpkg.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = bulwark::catalog::parse_dpkg_status(text);
  (void)r;
  auto l = bulwark::catalog::parse_debian_copyright(text);
  (void)l;
  return 0;
}
