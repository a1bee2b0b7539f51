#include "catalog/exec_stream.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "core/limits.hpp"

namespace bulwark::catalog {

namespace {

uint64_t get(std::string_view d, uint64_t off, int n, bool big) {  // caller checked bounds
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) {
    v = (v << 8) | static_cast<uint8_t>(d[off + static_cast<uint64_t>(big ? i : n - 1 - i)]);
  }
  return v;
}

bool fits(uint64_t off, uint64_t len, uint64_t size) {
  return off <= size && len <= size - off;
}

uint64_t sat_add(uint64_t a, uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

// Go's linker marks ELF binaries with a note named "Go" of type 4 (its build ID; cmd/link
// elf.go, ELF_NOTE_GOBUILDID_TAG) in the first page.
bool has_go_note(std::string_view head, uint64_t off, uint64_t size, bool big) {
  uint64_t end = std::min<uint64_t>(sat_add(off, size), head.size());
  uint64_t pos = off;
  while (pos <= end && end - pos >= 12) {
    uint64_t namesz = get(head, pos, 4, big);
    uint64_t descsz = get(head, pos + 4, 4, big);
    uint64_t type = get(head, pos + 8, 4, big);
    if (namesz == 4 && type == 4 && fits(pos + 12, 4, end) &&
        head.substr(pos + 12, 4) == std::string_view("Go\0\0", 4)) {
      return true;
    }
    uint64_t step = sat_add(sat_add(12, (namesz + 3) & ~uint64_t{3}), (descsz + 3) & ~uint64_t{3});
    if (namesz > end || descsz > end || step > end - pos) break;
    pos += step;
  }
  return false;
}

void plan_elf(std::string_view head, uint64_t file_size, StreamPlan& plan) {
  auto keep = [&](uint64_t off, uint64_t len) {
    if (off < file_size) plan.keep.add(off, off + std::min(len, file_size - off));
  };
  // A head shorter than the ELF header is the whole file: the parser reports it.
  if (head.size() < 64) return;
  auto cls = static_cast<uint8_t>(head[4]);
  auto data = static_cast<uint8_t>(head[5]);
  if ((cls != 1 && cls != 2) || (data != 1 && data != 2)) return;  // the parser rejects it
  bool is64 = cls == 2, big = data == 2;
  uint64_t phoff = is64 ? get(head, 32, 8, big) : get(head, 28, 4, big);
  uint64_t shoff = is64 ? get(head, 40, 8, big) : get(head, 32, 4, big);
  uint64_t phentsize = get(head, is64 ? 54 : 42, 2, big);
  uint64_t phnum = get(head, is64 ? 56 : 44, 2, big);
  uint64_t shentsize = get(head, is64 ? 58 : 46, 2, big);
  uint64_t shnum = get(head, is64 ? 60 : 48, 2, big);
  uint64_t load_end = 0;
  if (phnum != 0 && phoff != 0) {
    uint64_t table = phentsize * phnum;
    if (!fits(phoff, table, file_size) || phentsize < (is64 ? 56U : 32U)) return;  // rejected
    if (!fits(phoff, table, head.size())) {
      if (phoff + table <= kMaxHeadBytes) {
        plan.need_head = phoff + table;
      } else {
        plan.whole = true;
      }
      return;
    }
    // Notes that end past the head but early in the file: read them too (the Go note).
    for (uint64_t i = 0; i < phnum; ++i) {
      uint64_t p = phoff + i * phentsize;
      if (get(head, p, 4, big) != 4) continue;
      uint64_t off = is64 ? get(head, p + 8, 8, big) : get(head, p + 4, 4, big);
      uint64_t filesz = is64 ? get(head, p + 32, 8, big) : get(head, p + 16, 4, big);
      uint64_t end = std::min(sat_add(off, filesz), file_size);
      if (end > head.size() && end <= kMaxHeadBytes) plan.need_head = std::max(plan.need_head, end);
    }
    if (plan.need_head > head.size()) return;
    plan.need_head = 0;
    for (uint64_t i = 0; i < phnum; ++i) {
      uint64_t p = phoff + i * phentsize;
      uint64_t type = get(head, p, 4, big);
      uint64_t flags = is64 ? get(head, p + 4, 4, big) : get(head, p + 24, 4, big);
      uint64_t off = is64 ? get(head, p + 8, 8, big) : get(head, p + 4, 4, big);
      uint64_t filesz = is64 ? get(head, p + 32, 8, big) : get(head, p + 16, 4, big);
      if (type == 1) {  // PT_LOAD
        load_end = std::max(load_end, sat_add(off, filesz));
        if (off < file_size) plan.loads.add(off, off + std::min(filesz, file_size - off));
        if ((flags & 2) != 0 && (flags & 1) == 0) keep(off, filesz);  // RW data: Go build info
      } else if (type == 4 && has_go_note(head, off, filesz, big)) {  // PT_NOTE
        plan.go_build_id = true;
      }
    }
  }
  if (shoff != 0 && shoff < file_size) {
    if (shnum == 0) {  // extended numbering: the count is in the first entry
      plan.whole = true;
      return;
    }
    keep(shoff, shentsize * shnum);
    // A section table in the head names where the section names are: Go's linker writes both
    // early, with .shstrtab inside a loaded segment rather than in the tail.
    uint64_t shstrndx = get(head, is64 ? 62 : 50, 2, big);
    uint64_t h = shoff + shstrndx * shentsize;
    if (shstrndx < shnum && shentsize >= (is64 ? 64U : 40U) && fits(h, shentsize, head.size())) {
      uint64_t off = is64 ? get(head, h + 24, 8, big) : get(head, h + 16, 4, big);
      uint64_t size = is64 ? get(head, h + 32, 8, big) : get(head, h + 20, 4, big);
      keep(off, std::min<uint64_t>(size, kMaxNamesBytes));
    }
  }
  // Non-loaded sections (.dep-v0, .shstrtab) lie after the last loaded byte.
  uint64_t tail = std::max<uint64_t>(load_end, head.size());
  if (tail < file_size && file_size - tail <= kTailBytes) {
    keep(tail, file_size - tail);
  } else if (shoff != 0 && shoff < file_size) {
    uint64_t from = shoff > kNamesWindow ? shoff - kNamesWindow : 0;
    keep(from, shoff - from);
  }
}

void plan_pe(std::string_view head, uint64_t file_size, StreamPlan& plan) {
  auto keep = [&](uint64_t off, uint64_t len) {
    if (off < file_size) plan.keep.add(off, off + std::min(len, file_size - off));
  };
  if (head.size() < 0x40) return;  // the whole file: the parser reports it
  uint64_t pe = get(head, 0x3c, 4, false);
  if (!fits(pe, 24, file_size)) return;  // the parser rejects it
  if (!fits(pe, 24, head.size())) {
    if (pe + 24 <= kMaxHeadBytes) {
      plan.need_head = pe + 24;
    } else {
      plan.whole = true;
    }
    return;
  }
  uint64_t coff = pe + 4;
  uint64_t nsections = get(head, coff + 2, 2, false);
  uint64_t symtab = get(head, coff + 8, 4, false);
  uint64_t nsyms = get(head, coff + 12, 4, false);
  uint64_t opt_size = get(head, coff + 16, 2, false);
  uint64_t table = coff + 20 + opt_size;
  if (!fits(table, nsections * 40, file_size)) return;  // the parser rejects it
  if (!fits(table, nsections * 40, head.size())) {
    if (table + nsections * 40 <= kMaxHeadBytes) {
      plan.need_head = table + nsections * 40;
    } else {
      plan.whole = true;
    }
    return;
  }
  for (uint64_t i = 0; i < nsections; ++i) {
    uint64_t h = table + i * 40;
    auto name = head.substr(h, 8);
    uint64_t vsize = get(head, h + 8, 4, false);
    uint64_t raw_size = get(head, h + 16, 4, false);
    uint64_t offset = get(head, h + 20, 4, false);
    uint64_t ch = get(head, h + 36, 4, false);
    uint64_t size = vsize != 0 ? std::min(vsize, raw_size) : raw_size;
    bool writable = (ch & 0x80000000U) != 0;
    if (writable || name.substr(0, name.find('\0')) == ".dep-v0") keep(offset, size);
  }
  if (symtab != 0) keep(sat_add(symtab, nsyms * 18), kNamesWindow + 256);
}

// Buffers for small files, reused on this thread (two sinks read each file).
std::vector<std::unique_ptr<std::string>>& small_pool() {
  thread_local std::vector<std::unique_ptr<std::string>> pool;
  return pool;
}

}  // namespace

StreamPlan plan_executable_stream(std::string_view head, uint64_t file_size) {
  StreamPlan plan;
  if (!looks_like_executable(head)) return plan;
  plan.executable = true;
  file_size = std::max<uint64_t>(file_size, head.size());
  plan.keep.add(0, head.size());
  // Go's linker writes this at the start of the text of non-ELF binaries (and of ELF ones
  // built by older toolchains): cmd/link's textbuildid.
  plan.go_build_id = head.find("\xff Go build ID: \"") != std::string_view::npos;
  if (head.starts_with("\x7f"
                       "ELF")) {
    plan_elf(head, file_size, plan);
  } else {
    plan_pe(head, file_size, plan);
  }
  return plan;
}

ExecutableStream::ExecutableStream(uint64_t size_hint, bool keep_whole_go)
    : hint_(size_hint), keep_whole_go_(keep_whole_go) {}

ExecutableStream::~ExecutableStream() {
  if (small_ != nullptr) {
    small_pool().push_back(std::move(small_));
  } else if (map_ != nullptr) {
    munmap(map_, static_cast<size_t>(map_size_));
  }
}

void ExecutableStream::store(uint64_t at, std::string_view bytes) {
  if (at >= map_size_ || bytes.empty()) return;
  uint64_t n = std::min<uint64_t>(bytes.size(), map_size_ - at);
  if (plan_.whole && at + n > core::limits().max_file_read) {
    too_large_ = true;
    return;
  }
  std::memcpy(map_ + at, bytes.data(), static_cast<size_t>(n));
}

void ExecutableStream::plan() {
  planned_ = true;
  uint64_t head = std::min({seen_, map_size_, head_target_});
  plan_ = plan_executable_stream(std::string_view(map_, static_cast<size_t>(head)),
                                 std::min(map_size_, std::max(seen_, hint_)));
  if (small_ != nullptr) {
    plan_.whole = true;  // kept whole in a reused buffer: cheaper than planning
    return;
  }
  if (plan_.need_head > head && head == head_target_ && head < map_size_) {
    // Tables end past the head: gather up to their end and plan again.
    head_target_ = std::min(plan_.need_head, map_size_);
    planned_ = false;
    return;
  }
  if (keep_whole_go_ && plan_.go_build_id) {
    if (plan_.loads.ranges().empty()) {
      plan_.whole = true;
    } else {
      for (const auto& [b, e] : plan_.loads.ranges()) plan_.keep.add(b, e);
    }
  }
}

void ExecutableStream::write(std::string_view chunk) {
  if (chunk.empty()) return;
  if (map_ == nullptr && !planned_ && hint_ <= kSmallFileBytes) {
    auto& pool = small_pool();
    if (pool.empty()) {
      small_ = std::make_unique<std::string>();
    } else {
      small_ = std::move(pool.back());
      pool.pop_back();
    }
    small_->assign(static_cast<size_t>(std::max<uint64_t>(hint_, 1)), '\0');
    map_ = small_->data();
    map_size_ = small_->size();
    head_target_ = std::min(map_size_, kHeadBytes);
  }
  if (map_ == nullptr && !planned_) {
    // Zero-filled and lazily backed: only the pages written to (or read) cost memory.
    uint64_t size = std::max<uint64_t>(hint_, 1);
    void* m = mmap(nullptr, static_cast<size_t>(size), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) {
      too_large_ = true;
      planned_ = true;
      return;
    }
    map_ = static_cast<char*>(m);
    map_size_ = size;
    head_target_ = std::min(map_size_, kHeadBytes);
  }
  uint64_t at = seen_;
  seen_ += chunk.size();
  while (!planned_) {
    uint64_t head = head_target_;
    if (at < head) {
      store(at, chunk.substr(0, static_cast<size_t>(std::min<uint64_t>(chunk.size(), head - at))));
    }
    if (seen_ < head) return;
    plan();
  }
  if (!plan_.executable || too_large_) return;
  if (plan_.whole) {
    store(at, chunk);
    return;
  }
  uint64_t end = at + chunk.size();
  for (const auto& [b, e] : plan_.keep.ranges()) {
    if (e <= at) continue;
    if (b >= end) break;
    uint64_t from = std::max(b, at), to = std::min(e, end);
    store(from, chunk.substr(static_cast<size_t>(from - at), static_cast<size_t>(to - from)));
  }
}

std::optional<core::Result<ExecutableStream::File>> ExecutableStream::finish() {
  if (map_ == nullptr && !too_large_) return std::nullopt;  // no bytes
  if (!planned_) plan();
  if (!too_large_ && !plan_.executable) return std::nullopt;
  if (too_large_) {
    return core::Result<File>(core::Error::limit("file larger than the read limit of " +
                                                 std::to_string(core::limits().max_file_read) +
                                                 " bytes"));
  }
  uint64_t size = std::min(seen_, map_size_);
  return core::Result<File>(
      File{std::string_view(map_, static_cast<size_t>(size)), plan_.whole ? nullptr : &plan_.keep});
}

uint64_t ExecutableStream::kept() const {
  if (!planned_ || plan_.whole) return std::min(seen_, map_size_);
  return std::min(plan_.keep.total(), seen_);
}

}  // namespace bulwark::catalog
