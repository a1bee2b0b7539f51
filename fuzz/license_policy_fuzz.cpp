// The license policy file (--license-policy, YAML) and license evaluation under it: the first
// half of the input is the policy, the rest a declared license evaluated with it.
#include <cstdint>
#include <string_view>

#include "license/expression.hpp"
#include "license/policy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t split = text.find("\n---license\n");
  std::string_view policy_text = split == std::string_view::npos ? text : text.substr(0, split);
  std::string_view declared = split == std::string_view::npos ? text : text.substr(split + 12);
  auto policy = bulwark::license::parse_policy(policy_text, "fuzz.yaml");
  bulwark::license::Policy p = policy.ok() ? *policy : bulwark::license::Policy{};
  auto e = bulwark::license::evaluate(declared, p);
  (void)e;
  return 0;
}
