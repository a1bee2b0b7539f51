// Manifest/index parser for registry answers: the first byte picks the Content-Type the
// registry claims, the rest is the body.
#include <cstdint>
#include <string_view>

#include "registry/manifest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static constexpr std::string_view kTypes[] = {
      "",
      bulwark::registry::kOciIndex,
      bulwark::registry::kOciManifest,
      bulwark::registry::kDockerList,
      bulwark::registry::kDockerManifest,
      bulwark::registry::kDockerSchema1Signed,
      "application/json; charset=utf-8",
  };
  std::string_view ct = kTypes[data[0] % (sizeof kTypes / sizeof kTypes[0])];
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  auto m = bulwark::registry::parse_manifest(body, ct, "fuzz");
  (void)m;
  return 0;
}
