// libFuzzer target for the vulndb importer of RubySec gem advisories (YAML). Beyond "no crash, no
// hang": every record the importer reports as imported reached the sink, and each rejected one was
// counted with a message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "vulndb/importer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bulwark::vulndb;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  VectorSink sink;
  ImportStats stats;
  import_rubysec("gems/x/CVE-1.yml", text, sink, stats);
  if (stats.imported != sink.advisories.size() + sink.kev.size() + sink.epss.size()) std::abort();
  if (stats.failed != 0 && stats.errors.empty()) std::abort();
  return 0;
}
