// SPDX license expressions as packages declare them (untrusted text from package metadata).
#include <cstdint>
#include <string_view>

#include "report/licenses.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto choice = bulwark::report::detail::classify_license(text);
  auto ref = bulwark::report::detail::license_ref_for(text);
  (void)choice;
  (void)ref;
  return 0;
}
