// Image reference parser: any bytes must give a value or an error, and a parsed reference
// must parse again to itself once normalised.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "registry/reference.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = bulwark::registry::parse_reference(text);
  (void)bulwark::registry::looks_like_registry_reference(text);
  if (r.ok()) {
    auto again = bulwark::registry::parse_reference(r->str());
    if (!again.ok() || again->str() != r->str()) std::abort();
  }
  return 0;
}
