// Yarn 1 yarn.lock (its own line format) and pip requirements files (also line-based).
#include <cstdint>
#include <string_view>

#include "catalog/python_locks.hpp"
#include "catalog/yarn_lock.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)bulwark::catalog::parse_yarn_v1_lock(text, "yarn.lock");
  (void)bulwark::catalog::parse_requirements(text);
  return 0;
}
