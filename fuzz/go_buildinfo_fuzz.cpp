// Go build info in ELF/PE executables (both header layouts) and the module text.
#include <cstdint>
#include <string_view>

#include "catalog/go_binary.hpp"
#include "catalog/go_mod.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto info = bulwark::catalog::read_go_build_info(bytes);
  if (info.ok()) (void)bulwark::catalog::go_build_info_packages(*info);
  auto text = bulwark::catalog::parse_go_modinfo(bytes);
  (void)bulwark::catalog::go_build_info_packages(text);
  auto mod = bulwark::catalog::parse_go_mod(bytes);
  (void)mod;
  auto sum = bulwark::catalog::parse_go_sum(bytes);
  (void)sum;
  return 0;
}
