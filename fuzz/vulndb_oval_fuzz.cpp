// libFuzzer target for the OVAL importer (Debian and Ubuntu definitions, streamed through
// libxml2's xmlTextReader). Beyond "no crash": imported records reached the sink, failures
// carry a message, and every affected entry names a package.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "vulndb/importer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bulwark::vulndb;
  if (size == 0) return 0;
  const auto flavor = (data[0] & 1) != 0 ? OvalFlavor::kUbuntu : OvalFlavor::kDebian;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  VectorSink sink;
  ImportStats stats;
  import_oval_text("fuzz.xml", text, flavor, "bookworm", sink, stats);
  if (stats.imported != sink.advisories.size()) std::abort();
  if (stats.failed != 0 && stats.errors.empty()) std::abort();
  for (const auto& a : sink.advisories)
    for (const auto& x : a.affected)
      if (x.package.empty() || x.release != "bookworm") std::abort();
  return 0;
}
