// YAML lock files: pnpm-lock.yaml (all lockfile versions) and Yarn Berry yarn.lock.
#include <cstdint>
#include <string_view>

#include "catalog/pnpm_lock.hpp"
#include "catalog/yarn_lock.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)bulwark::catalog::parse_pnpm_lock(text, "pnpm-lock.yaml");
  (void)bulwark::catalog::parse_yarn_berry_lock(text, "yarn.lock");
  return 0;
}
