// Dockerfile parser and every Dockerfile rule over arbitrary bytes.
#include <cstdint>
#include <string_view>

#include "misconfig/dockerfile/parser.hpp"
#include "misconfig/dockerfile/rules.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)bulwark::misconfig::dockerfile::looks_like_dockerfile(text);
  auto df = bulwark::misconfig::dockerfile::parse(text, "Dockerfile");
  if (df.ok()) (void)bulwark::misconfig::dockerfile::check(*df, "Dockerfile");
  return 0;
}
