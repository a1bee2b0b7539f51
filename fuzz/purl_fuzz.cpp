// libFuzzer target for PackageUrl::parse (purls arrive in third-party SBOMs and advisories).
// Checks, beyond "no crash": whatever parses is canonicalised idempotently, and the canonical
// string parses back to the same components.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/purl.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using bulwark::core::PackageUrl;
  using bulwark::core::PurlParseMode;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (auto mode : {PurlParseMode::kStrict, PurlParseMode::kLenient}) {
    auto parsed = PackageUrl::parse(text, mode);
    if (!parsed.ok()) continue;
    const std::string canonical = parsed->to_string();
    auto again = PackageUrl::parse(canonical);
    if (!again.ok() || !(*again == *parsed) || again->to_string() != canonical) std::abort();
    auto built = parsed->build();
    if (!built.ok() || *built != canonical) std::abort();
  }
  return 0;
}
