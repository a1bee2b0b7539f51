// A small, bounds-checked reader for the parts of ELF and PE executables that catalogers need:
// section names and ranges, loadable segments, and virtual-address -> file-offset mapping.
// Layouts from the System V gABI (ELF header, section and program headers) and Microsoft's PE
// format documentation (COFF header, optional header ImageBase, section table, long section
// names in the COFF string table).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace bulwark::catalog {

struct BinarySection {
  std::string name;
  uint64_t addr = 0;    // virtual address when loaded (PE: ImageBase + VirtualAddress)
  uint64_t offset = 0;  // file offset of its bytes
  uint64_t size = 0;    // bytes present in the file (0 for NOBITS / uninitialised data)
  bool writable = false;
};

struct BinarySegment {  // ELF PT_LOAD
  uint64_t vaddr = 0, offset = 0, filesz = 0;
  bool writable = false, executable = false;
};

// The parts of a file present in memory when a streaming reader kept only some byte ranges
// of it (the rest reads as zeros). Parsers handed one check that what they read was kept.
class KeptRanges {
 public:
  void add(uint64_t begin, uint64_t end);  // [begin, end), merged with what is there
  bool covers(uint64_t offset, uint64_t len) const;
  uint64_t total() const;
  const std::vector<std::pair<uint64_t, uint64_t>>& ranges() const { return ranges_; }

 private:
  std::vector<std::pair<uint64_t, uint64_t>> ranges_;  // sorted, disjoint, not adjacent
};

struct Executable {
  enum class Format { kElf, kPe };
  Format format = Format::kElf;
  bool big_endian = false;
  int ptr_size = 8;
  // Where the section names were read from (ELF .shstrtab; PE: the COFF string table, only
  // when a long name used it): a streaming caller checks it was kept before trusting names.
  uint64_t names_offset = 0, names_size = 0;
  std::vector<BinarySection> sections;
  std::vector<BinarySegment> segments;

  const BinarySection* section(std::string_view name) const;
  // File bytes of a section (clamped to the file).
  std::string_view section_bytes(std::string_view file, const BinarySection& s) const;
  // `len` bytes at a virtual address, if they are backed by the file.
  std::optional<std::string_view> read_address(std::string_view file, uint64_t addr,
                                               uint64_t len) const;
};

// True when the bytes start like an ELF or PE image (cheap pre-check).
bool looks_like_executable(std::string_view data);

// kUnsupported when the bytes are neither ELF nor PE; kInvalidInput when the headers are
// inconsistent (tables outside the file, absurd counts).
core::Result<Executable> parse_executable(std::string_view data);

}  // namespace bulwark::catalog
