// JSON lock files and manifests: package-lock.json / npm-shrinkwrap.json, Pipfile.lock and
// package.json share one target (one JSON parser, three walkers).
#include <cstdint>
#include <string_view>

#include "catalog/node_modules.hpp"
#include "catalog/npm_lock.hpp"
#include "catalog/python_locks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)bulwark::catalog::parse_package_lock(text, "package-lock.json");
  (void)bulwark::catalog::parse_pipfile_lock(text, "Pipfile.lock");
  (void)bulwark::catalog::parse_package_json(text, "package.json");
  return 0;
}
