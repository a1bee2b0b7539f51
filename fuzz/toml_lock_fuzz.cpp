// TOML lock files: poetry.lock and uv.lock.
#include <cstdint>
#include <string_view>

#include "catalog/python_locks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)bulwark::catalog::parse_poetry_lock(text, "poetry.lock");
  (void)bulwark::catalog::parse_uv_lock(text, "uv.lock");
  return 0;
}
