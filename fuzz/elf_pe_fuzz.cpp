// The ELF/PE section reader: headers, section and segment tables, address mapping.
#include <cstdint>
#include <string_view>

#include "catalog/elf_pe.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto x = bulwark::catalog::parse_executable(bytes);
  if (!x.ok()) return 0;
  for (const auto& s : x->sections) {
    (void)x->section_bytes(bytes, s);
    (void)x->read_address(bytes, s.addr, 16);
  }
  for (const auto& s : x->segments) (void)x->read_address(bytes, s.vaddr + 8, s.filesz);
  return 0;
}
