// libFuzzer target: one rpm header blob as the rpm database stores it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/rpm_header.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view blob(reinterpret_cast<const char*>(data), size);
  (void)bulwark::catalog::parse_rpm_header(blob);
  return 0;
}
