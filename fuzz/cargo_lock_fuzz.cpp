// Cargo.lock (TOML via toml++) and cargo-auditable .dep-v0 sections.
#include <cstdint>
#include <string_view>

#include "catalog/cargo.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto lock = bulwark::catalog::parse_cargo_lock(bytes);
  (void)lock;
  auto json = bulwark::catalog::parse_cargo_auditable_json(bytes);
  (void)json;
  auto bin = bulwark::catalog::read_cargo_auditable(bytes);
  (void)bin;
  return 0;
}
