// The streaming executable reader: the plan made from a file's head, the kept ranges filled as
// chunks of every size arrive, and the Go and cargo-auditable parsers run on what was kept.
// The first input byte picks the chunk size; the rest is the file.
#include <cstdint>
#include <string_view>

#include "catalog/cargo.hpp"
#include "catalog/exec_stream.hpp"
#include "catalog/go_binary.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bulwark::catalog;
  if (size < 1) return 0;
  size_t chunk = 1 + data[0] * 37U;
  std::string_view file(reinterpret_cast<const char*>(data + 1), size - 1);
  (void)plan_executable_stream(file.substr(0, kHeadBytes), file.size());
  for (bool whole_go : {false, true}) {
    ExecutableStream s(file.size(), whole_go);
    for (size_t pos = 0; pos < file.size(); pos += chunk) s.write(file.substr(pos, chunk));
    auto f = s.finish();
    if (!f || !f->ok()) continue;
    (void)read_go_build_info((*f)->bytes, (*f)->kept);
    (void)read_cargo_auditable((*f)->bytes, (*f)->kept);
  }
  return 0;
}
