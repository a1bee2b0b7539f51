// Compose files: content detection of every config type, then the compose checks.
#include <cstdint>
#include <string_view>

#include "misconfig/compose/rules.hpp"
#include "misconfig/config_scan.hpp"
#include "misconfig/yaml_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)bulwark::misconfig::detect(text);
  bulwark::misconfig::YamlLimits limits;
  limits.max_nodes = 20'000;
  auto docs = bulwark::misconfig::load_yaml(text, "compose.yaml", limits);
  if (docs.ok()) (void)bulwark::misconfig::compose::check(*docs, "compose.yaml");
  return 0;
}
