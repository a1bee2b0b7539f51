// libFuzzer target for the release-file parsers behind OS detection (os-release, lsb-release,
// debian_version, alpine-release, *-release): every byte string is a possible file in an image.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "catalog/os_release.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bulwark::catalog;
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)parse_os_release(text);
  (void)os_from_os_release(text);
  (void)os_from_lsb_release(text);
  (void)os_from_debian_version(text);
  (void)os_from_alpine_release(text);
  (void)os_from_redhat_release(text);
  // The whole detection order, with the input standing in for every release file.
  (void)detect_os([&](std::string_view) { return &text; }, size % 2 == 0);
  return 0;
}
