// YAML loader (bounded alias expansion, depth, documents) and the Kubernetes checks.
#include <cstdint>
#include <string_view>

#include "misconfig/kubernetes/rules.hpp"
#include "misconfig/yaml_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  bulwark::misconfig::YamlLimits limits;
  limits.max_nodes = 20'000;  // keeps each input fast; the bound itself is what is tested
  auto docs = bulwark::misconfig::load_yaml(text, "fuzz.yaml", limits);
  if (docs.ok()) {
    auto issues = bulwark::misconfig::kubernetes::check(*docs, "fuzz.yaml");
    (void)bulwark::misconfig::kubernetes::admitted(issues,
                                                   bulwark::misconfig::PssLevel::kRestricted);
  }
  return 0;
}
