// libFuzzer target for the apk installed-database parser (lib/apk/db/installed), plus the
// purl each package gets: every package must yield a purl that parses.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "catalog/apk.hpp"
#include "core/purl.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bulwark;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto result = catalog::parse_apk_installed(text);
  if (result.warnings.size() > 21) std::abort();  // the parser bounds its warnings
  for (const auto& p : result.packages) {
    if (p.name.empty() || p.version.empty()) std::abort();
    if (!core::PackageUrl::parse(p.purl).ok()) std::abort();
  }
  return 0;
}
