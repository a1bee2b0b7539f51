#include "catalog/elf_pe.hpp"

#include <algorithm>
#include <cstring>

namespace bulwark::catalog {

using core::Error;
using core::Result;

namespace {

// Bounds-checked little/big-endian reads from a byte view.
class Reader {
 public:
  Reader(std::string_view d, bool big) : d_(d), big_(big) {}
  bool has(uint64_t off, uint64_t n) const { return off <= d_.size() && n <= d_.size() - off; }
  uint64_t u(uint64_t off, int n) const {  // caller checked has(off, n)
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) {
      auto b = static_cast<uint8_t>(d_[off + static_cast<uint64_t>(big_ ? i : n - 1 - i)]);
      v = (v << 8) | b;
    }
    return v;
  }

 private:
  std::string_view d_;
  bool big_;
};

constexpr uint32_t kMaxSections = 65535;
constexpr uint32_t kMaxSegments = 65535;

Result<Executable> parse_elf(std::string_view d) {
  if (d.size() < 52) return Error::invalid("ELF: truncated header");
  Executable x;
  x.format = Executable::Format::kElf;
  auto cls = static_cast<uint8_t>(d[4]);
  auto data = static_cast<uint8_t>(d[5]);
  if (cls != 1 && cls != 2) return Error::invalid("ELF: bad class " + std::to_string(cls));
  if (data != 1 && data != 2) return Error::invalid("ELF: bad data encoding");
  x.big_endian = data == 2;
  x.ptr_size = cls == 2 ? 8 : 4;
  bool is64 = cls == 2;
  Reader r(d, x.big_endian);
  if (is64 && d.size() < 64) return Error::invalid("ELF: truncated header");
  uint64_t phoff = is64 ? r.u(32, 8) : r.u(28, 4);
  uint64_t shoff = is64 ? r.u(40, 8) : r.u(32, 4);
  uint64_t phentsize = r.u(is64 ? 54 : 42, 2);
  uint64_t phnum = r.u(is64 ? 56 : 44, 2);
  uint64_t shentsize = r.u(is64 ? 58 : 46, 2);
  uint64_t shnum = r.u(is64 ? 60 : 48, 2);
  uint64_t shstrndx = r.u(is64 ? 62 : 50, 2);
  const uint64_t ph_min = is64 ? 56 : 32;
  const uint64_t sh_min = is64 ? 64 : 40;

  // Program headers: loadable segments map addresses to file offsets.
  if (phnum != 0 && phoff != 0) {
    if (phentsize < ph_min || phnum > kMaxSegments || !r.has(phoff, phentsize * phnum)) {
      return Error::invalid("ELF: program header table outside the file");
    }
    for (uint64_t i = 0; i < phnum; ++i) {
      uint64_t p = phoff + i * phentsize;
      if (r.u(p, 4) != 1) continue;  // PT_LOAD
      BinarySegment s;
      uint64_t flags = is64 ? r.u(p + 4, 4) : r.u(p + 24, 4);
      s.offset = is64 ? r.u(p + 8, 8) : r.u(p + 4, 4);
      s.vaddr = is64 ? r.u(p + 16, 8) : r.u(p + 8, 4);
      s.filesz = is64 ? r.u(p + 32, 8) : r.u(p + 16, 4);
      s.executable = (flags & 1) != 0;
      s.writable = (flags & 2) != 0;
      x.segments.push_back(s);
    }
  }
  // Section headers (absent in some stripped or packed binaries: that is not an error).
  if (shoff != 0) {
    if (shnum == 0 && r.has(shoff, sh_min)) {
      shnum = is64 ? r.u(shoff + 32, 8) : r.u(shoff + 20, 4);  // extended numbering
    }
    if (shentsize < sh_min || shnum > kMaxSections || !r.has(shoff, shentsize * shnum)) {
      return Error::invalid("ELF: section header table outside the file");
    }
    if (shstrndx == 0xffff && shnum > 0) shstrndx = r.u(shoff + (is64 ? 40 : 24), 4);
    std::string_view names;
    if (shstrndx < shnum) {
      uint64_t h = shoff + shstrndx * shentsize;
      uint64_t off = is64 ? r.u(h + 24, 8) : r.u(h + 16, 4);
      uint64_t size = is64 ? r.u(h + 32, 8) : r.u(h + 20, 4);
      if (r.has(off, size)) {
        names = d.substr(off, size);
        x.names_offset = off;
        x.names_size = size;
      }
    }
    for (uint64_t i = 0; i < shnum; ++i) {
      uint64_t h = shoff + i * shentsize;
      BinarySection s;
      uint64_t name_off = r.u(h, 4);
      uint64_t type = r.u(h + 4, 4);
      uint64_t flags = is64 ? r.u(h + 8, 8) : r.u(h + 8, 4);
      s.addr = is64 ? r.u(h + 16, 8) : r.u(h + 12, 4);
      s.offset = is64 ? r.u(h + 24, 8) : r.u(h + 16, 4);
      s.size = is64 ? r.u(h + 32, 8) : r.u(h + 20, 4);
      s.writable = (flags & 1) != 0;  // SHF_WRITE
      if (type == 8) s.size = 0;      // SHT_NOBITS: no file bytes
      if (name_off < names.size()) {
        auto rest = names.substr(name_off);
        s.name = std::string(rest.substr(0, rest.find('\0')));
      }
      x.sections.push_back(std::move(s));
    }
  }
  return x;
}

Result<Executable> parse_pe(std::string_view d) {
  Reader r(d, false);
  if (!r.has(0x3c, 4)) return Error::invalid("PE: truncated DOS header");
  uint64_t pe = r.u(0x3c, 4);
  if (!r.has(pe, 24) || d.substr(pe, 4) != std::string_view("PE\0\0", 4)) {
    return Error::unsupported("MZ file without a PE header");
  }
  Executable x;
  x.format = Executable::Format::kPe;
  uint64_t coff = pe + 4;
  uint64_t nsections = r.u(coff + 2, 2);
  uint64_t symtab = r.u(coff + 8, 4);
  uint64_t nsyms = r.u(coff + 12, 4);
  uint64_t opt_size = r.u(coff + 16, 2);
  uint64_t opt = coff + 20;
  uint64_t image_base = 0;
  if (opt_size >= 2 && r.has(opt, 2)) {
    uint64_t magic = r.u(opt, 2);
    if (magic == 0x20b && opt_size >= 32 && r.has(opt, 32)) {
      x.ptr_size = 8;
      image_base = r.u(opt + 24, 8);
    } else if (magic == 0x10b && opt_size >= 32 && r.has(opt, 32)) {
      x.ptr_size = 4;
      image_base = r.u(opt + 28, 4);
    } else {
      return Error::invalid("PE: unknown optional header magic");
    }
  }
  uint64_t table = opt + opt_size;
  if (!r.has(table, nsections * 40)) return Error::invalid("PE: section table outside the file");
  // Long section names ("/4") index the COFF string table after the symbol table.
  uint64_t strtab = symtab + nsyms * 18;
  for (uint64_t i = 0; i < nsections; ++i) {
    uint64_t h = table + i * 40;
    BinarySection s;
    auto raw = d.substr(h, 8);
    s.name = std::string(raw.substr(0, raw.find('\0')));
    if (s.name.size() > 1 && s.name[0] == '/' && symtab != 0) {
      uint64_t off = 0;
      for (char c : s.name.substr(1)) {
        if (c < '0' || c > '9' || off > (1ULL << 32)) break;
        off = off * 10 + static_cast<uint64_t>(c - '0');
      }
      if (r.has(strtab + off, 1)) {
        auto rest = d.substr(strtab + off, 256);
        // The furthest name byte read, so that a streaming caller can check it was kept.
        auto nul = rest.find('\0');
        uint64_t end = strtab + off + (nul == std::string_view::npos ? rest.size() : nul + 1);
        uint64_t begin = strtab + off;
        if (x.names_size != 0) {
          end = std::max(end, x.names_offset + x.names_size);
          begin = std::min(begin, x.names_offset);
        }
        x.names_offset = begin;
        x.names_size = end - begin;
        s.name = std::string(rest.substr(0, rest.find('\0')));
      }
    }
    uint64_t vsize = r.u(h + 8, 4);
    s.addr = image_base + r.u(h + 12, 4);
    uint64_t raw_size = r.u(h + 16, 4);
    s.offset = r.u(h + 20, 4);
    s.size = vsize != 0 ? std::min(vsize, raw_size) : raw_size;
    uint64_t ch = r.u(h + 36, 4);
    s.writable = (ch & 0x80000000U) != 0;                    // IMAGE_SCN_MEM_WRITE
    if ((ch & 0x80U) != 0 && (ch & 0x40U) == 0) s.size = 0;  // uninitialised data only
    x.sections.push_back(std::move(s));
  }
  return x;
}

}  // namespace

void KeptRanges::add(uint64_t begin, uint64_t end) {
  if (begin >= end) return;
  std::vector<std::pair<uint64_t, uint64_t>> out;
  out.reserve(ranges_.size() + 1);
  bool placed = false;
  for (const auto& r : ranges_) {
    if (r.second < begin) {
      out.push_back(r);
    } else if (end < r.first) {
      if (!placed) out.emplace_back(begin, end);
      placed = true;
      out.push_back(r);
    } else {
      begin = std::min(begin, r.first);
      end = std::max(end, r.second);
    }
  }
  if (!placed) out.emplace_back(begin, end);
  ranges_ = std::move(out);
}

bool KeptRanges::covers(uint64_t offset, uint64_t len) const {
  if (len == 0) return true;
  if (offset > UINT64_MAX - len) return false;
  for (const auto& r : ranges_) {
    if (r.first <= offset && offset + len <= r.second) return true;
  }
  return false;
}

uint64_t KeptRanges::total() const {
  uint64_t n = 0;
  for (const auto& r : ranges_) n += r.second - r.first;
  return n;
}

const BinarySection* Executable::section(std::string_view name) const {
  for (const auto& s : sections) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::string_view Executable::section_bytes(std::string_view file, const BinarySection& s) const {
  if (s.offset >= file.size()) return {};
  return file.substr(s.offset, std::min<uint64_t>(s.size, file.size() - s.offset));
}

std::optional<std::string_view> Executable::read_address(std::string_view file, uint64_t addr,
                                                         uint64_t len) const {
  auto within = [&](uint64_t base, uint64_t size, uint64_t off) -> std::optional<std::string_view> {
    if (addr < base || addr - base > size || len > size - (addr - base)) return std::nullopt;
    uint64_t at = off + (addr - base);
    if (at > file.size() || len > file.size() - at) return std::nullopt;
    return file.substr(at, len);
  };
  for (const auto& s : segments) {
    if (auto v = within(s.vaddr, s.filesz, s.offset)) return v;
  }
  for (const auto& s : sections) {
    if (s.addr == 0 || s.size == 0) continue;
    if (auto v = within(s.addr, s.size, s.offset)) return v;
  }
  return std::nullopt;
}

bool looks_like_executable(std::string_view data) {
  return data.starts_with(
             "\x7f"
             "ELF") ||
         data.starts_with("MZ");
}

Result<Executable> parse_executable(std::string_view data) {
  if (data.starts_with("\x7f"
                       "ELF")) {
    return parse_elf(data);
  }
  if (data.starts_with("MZ")) return parse_pe(data);
  return Error::unsupported("not an ELF or PE executable");
}

}  // namespace bulwark::catalog
