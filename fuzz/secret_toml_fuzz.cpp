// gitleaks TOML rule configs: parsing, then compiling whatever rules they hold (bad regexes
// must be named errors, never crashes), then scanning a sample with them.
#include <cstdint>
#include <string_view>

#include "secret/engine.hpp"
#include "secret/gitleaks_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto set = bulwark::secret::parse_gitleaks_config(text, "fuzz.toml", {});
  if (!set.ok() || set->rules.size() > 16) return 0;
  auto engine = bulwark::secret::Engine::compile(std::move(set).value());
  if (!engine.ok()) return 0;
  auto m = (*engine)->scan("/fuzz/sample.env", text);
  (void)m;
  return 0;
}
