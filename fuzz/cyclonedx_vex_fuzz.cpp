// libFuzzer target for CycloneDX VEX documents (scan --vex): the parser must return a value or an
// error for any bytes, and applying what parsed to findings must neither crash nor change how many
// there are.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/vex_fuzz_common.hpp"
#include "vex/vex.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bulwark::vex;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_cyclonedx_vex(text, "fuzz");
  if (!parsed.ok()) return 0;
  Suppressions s;
  s.documents.push_back(std::move(parsed).value());
  fuzz::exercise(s);
  return 0;
}
