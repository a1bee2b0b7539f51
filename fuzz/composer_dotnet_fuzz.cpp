// JSON lock files of PHP and .NET: composer.lock, installed.json (v1 and v2), *.deps.json and
// packages.lock.json. One target: the four share the JSON reader and differ in shape.
#include <cstdint>
#include <string_view>

#include "catalog/composer.hpp"
#include "catalog/dotnet.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto a = bulwark::catalog::parse_composer_lock(text, "composer.lock");
  (void)a;
  auto b = bulwark::catalog::parse_composer_installed(text, "installed.json");
  (void)b;
  auto c = bulwark::catalog::parse_deps_json(text, "x.deps.json");
  (void)c;
  auto d = bulwark::catalog::parse_packages_lock_json(text, "packages.lock.json");
  (void)d;
  return 0;
}
