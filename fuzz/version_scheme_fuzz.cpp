// libFuzzer target for every version scheme (versions and constraints come from advisories and
// package metadata). The first byte picks the ecosystem; the rest is "A\nB". Beyond "no crash":
// a version that parses compares equal to itself, and compare(A,B) == -compare(B,A).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "version/version.hpp"

namespace {
constexpr std::string_view kEcosystems[] = {"Debian", "Red Hat",  "Alpine",    "npm",
                                            "SemVer", "Go",       "crates.io", "PyPI",
                                            "Maven",  "RubyGems", "NuGet",     "Packagist"};
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view eco = kEcosystems[data[0] % std::size(kEcosystems)];
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const size_t nl = rest.find('\n');
  const std::string_view a = rest.substr(0, nl);
  const std::string_view b =
      nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  namespace v = bulwark::version;
  auto self = v::compare(eco, a, a);
  if (self.ok() && *self != 0) std::abort();
  auto ab = v::compare(eco, a, b);
  auto ba = v::compare(eco, b, a);
  if (ab.ok() != ba.ok()) std::abort();
  if (ab.ok() && *ab != -*ba) std::abort();
  (void)v::satisfies(eco, a, b);
  (void)v::satisfies(eco, b, a);
  return 0;
}
