// Executables as the binary catalogers (Go build info, cargo-auditable) see them when they
// stream past once, in chunks: the layer reader decompresses every executable in an image
// anyway, and holding each one whole for two header lookups cost more than the lookups
// (page faults and copies of ~220 MB for the corpus `big` image).
//
// The first kHeadBytes are kept and planned from: the ELF program headers (or the PE section
// table) name where the parts the catalogers read will pass, and only those byte ranges are
// kept, written at their own offsets into a zero-filled anonymous mapping of the file's size
// (untouched pages cost nothing), so that the ordinary parsers (elf_pe, go_binary, cargo) run
// on it unchanged and check with KeptRanges that what they read was kept:
//   - the head (ELF header and program headers, PE headers and section table, the Go note);
//   - ELF writable, non-executable PT_LOAD segments and PE writable sections: where Go's linker
//     puts the build info header and, since Go 1.18, its strings (debug/buildinfo in the Go
//     sources searches the same places);
//   - the ELF section header table (its offset is in the ELF header), the section names when
//     that table lies in the head (Go's linker puts it there, and .shstrtab in a loaded
//     segment), and the part of the file
//     after the last loaded byte, up to kTailBytes: cargo-auditable writes `.dep-v0` as a
//     non-allocated ELF section (sh_flags 0; cargo-auditable/src/object_file.rs), which
//     linkers place after every loaded segment, with .comment, .symtab, .strtab and .shstrtab,
//     before the section header table. Stripped binaries (every Debian one) have a tail of a
//     few hundred bytes; unstripped ones keep symbols there (a Rust release binary: 1-3 MB).
//     Beyond kTailBytes only the last kNamesWindow bytes before the section headers are kept
//     (.shstrtab, where GNU ld and Go's linker put it), and a .dep-v0 outside the kept bytes
//     is a warning, not a silent miss. Debug sections are what makes tails large; their
//     position relative to .dep-v0 depends on the linker, so no bounded window finds it
//     reliably among them.
//   - PE `.dep-v0` sections (allocated there, and named in the section table in the head) and
//     the COFF string table's first kNamesWindow bytes (long section names).
// Go binaries from before Go 1.18 point from the header to strings anywhere in the file (the
// version in .rodata, before the header): a file that proves to be Go from its first bytes (the
// Go build ID: an ELF note named "Go" of type 4, or the "\xff Go build ID: " string Go's
// linker writes at the start of the text of other formats) is kept whole for the Go
// cataloger: every loaded segment of an ELF one (where those strings are read from, by
// address), and the rest as for any file, so only the unloaded tail beyond kTailBytes (DWARF
// and symbols of an unstripped build) is left out; a PE one whole. Headers whose tables lie
// beyond the head (no real linker does this)
// are kept whole too. So the result is the same as reading the whole file, except for a
// pre-1.18 Go binary without a build ID, and an ELF .dep-v0 that a linker loaded (not what
// cargo-auditable writes) or that lies behind more than kTailBytes of unloaded sections: those
// get a warning naming the reason, never a silent miss.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "catalog/elf_pe.hpp"

namespace bulwark::catalog {

// The head planned from: one page holds the ELF and program headers, the Go note and the PE
// headers in every real binary; headers that end later grow it up to kMaxHeadBytes.
inline constexpr uint64_t kHeadBytes = 4 << 10;
inline constexpr uint64_t kMaxHeadBytes = 64 << 10;
inline constexpr uint64_t kTailBytes = 4 << 20;
inline constexpr uint64_t kNamesWindow = 64 << 10;
inline constexpr uint64_t kMaxNamesBytes = 1 << 20;  // a .shstrtab found from the head
// Files up to this size are kept whole, in a buffer reused from file to file: most
// executables are this small, and copying them costs less than mapping and faulting pages.
inline constexpr uint64_t kSmallFileBytes = 64 << 10;

struct StreamPlan {
  bool executable = false;   // ELF or PE magic
  bool whole = false;        // keep every byte (tables beyond the head)
  bool go_build_id = false;  // the head proves a Go binary
  uint64_t need_head = 0;    // nonzero: plan again from this many first bytes
  KeptRanges keep;           // when not whole
  // ELF: every PT_LOAD's bytes, what a Go binary's pre-1.18 strings can be read from (by
  // address); empty when the file has no program headers.
  KeptRanges loads;
};

// What to keep of a file of `file_size` bytes that starts with `head`. Pure: fuzzed and
// tested on its own.
StreamPlan plan_executable_stream(std::string_view head, uint64_t file_size);

// Collects one executable's kept bytes as chunks arrive.
class ExecutableStream {
 public:
  // `keep_whole_go`: keep a file that proves to be Go whole (the Go cataloger).
  ExecutableStream(uint64_t size_hint, bool keep_whole_go);
  ~ExecutableStream();
  ExecutableStream(const ExecutableStream&) = delete;
  ExecutableStream& operator=(const ExecutableStream&) = delete;

  void write(std::string_view chunk);

  struct File {
    std::string_view bytes;  // the file's size; bytes not kept read as zeros
    const KeptRanges* kept;  // nullptr: every byte is there
  };
  // After the last chunk. nullopt when the file is not an ELF or PE image; an error when it
  // is larger than the read limit and had to be kept whole.
  std::optional<core::Result<File>> finish();

  uint64_t seen() const { return seen_; }
  uint64_t kept() const;

 private:
  void plan();
  void store(uint64_t at, std::string_view bytes);

  uint64_t hint_;
  bool keep_whole_go_;
  std::unique_ptr<std::string> small_;  // files up to kSmallFileBytes
  char* map_ = nullptr;                 // else an anonymous mapping of hint_ bytes (zero-filled)
  uint64_t map_size_ = 0;
  uint64_t seen_ = 0;
  uint64_t head_target_ = 0;  // head bytes to gather before planning
  bool planned_ = false;
  StreamPlan plan_;
  bool too_large_ = false;
};

}  // namespace bulwark::catalog
