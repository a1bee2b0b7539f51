// Installed Python distribution metadata (METADATA / PKG-INFO headers).
#include <cstdint>
#include <string_view>

#include "catalog/python_installed.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)bulwark::catalog::parse_python_metadata(text);
  (void)bulwark::catalog::license_from_classifier(text);
  return 0;
}
