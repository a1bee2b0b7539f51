// Jar/zip archives: the in-memory zip walk, nested archives, pom.properties and manifests.
#include <cstdint>
#include <string_view>

#include "catalog/java.hpp"
#include "core/limits.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool once = [] {
    // Small limits so that inflating cannot dominate a run (the limits are what is tested).
    auto l = bulwark::core::limits();
    l.max_file_read = 1 << 20;
    l.ratio_grace_bytes = 1 << 20;
    bulwark::core::set_limits(l);
    return true;
  }();
  (void)once;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto r = bulwark::catalog::parse_java_archive(bytes, "fuzz-1.0.jar");
  (void)r;
  auto p = bulwark::catalog::parse_java_properties(bytes);
  (void)p;
  auto m = bulwark::catalog::parse_jar_manifest(bytes);
  (void)m;
  return 0;
}
