#include "image/mapped_stream.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <mutex>
#include <system_error>

namespace bulwark::image {

using core::Error;
using core::Result;

namespace {

// ---- SIGBUS guard: live mappings, checked by the handler (lock-free, async-signal-safe) ----

struct GuardSlot {
  std::atomic<uintptr_t> start{0};  // 0: free
  std::atomic<uintptr_t> end{0};
  std::atomic<bool> truncated{false};
};
constexpr size_t kGuardSlots = 256;  // mappings alive at once (two per layer in flight at most)
std::array<GuardSlot, kGuardSlots> g_slots;
struct sigaction g_previous {};
uintptr_t g_page = 4096;  // set before the handler is installed

void on_sigbus(int sig, siginfo_t* info, void* uctx) {
  auto addr = reinterpret_cast<uintptr_t>(info->si_addr);
  for (auto& s : g_slots) {
    uintptr_t start = s.start.load(std::memory_order_acquire);
    if (start == 0 || addr < start || addr >= s.end.load(std::memory_order_acquire)) continue;
    // Ours: the file shrank under the mapping. Zero pages over the rest of it let the access
    // complete; the stream sees the flag and fails. (mmap is a plain system call here.)
    uintptr_t page = addr & ~(g_page - 1);
    uintptr_t end = s.end.load(std::memory_order_acquire);
    s.truncated.store(true, std::memory_order_release);
    // NOLINTNEXTLINE(performance-no-int-to-ptr): the page address comes from si_addr.
    void* r = ::mmap(reinterpret_cast<void*>(page), end - page, PROT_READ,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (r != MAP_FAILED) return;
    break;  // could not patch it: die as without the guard
  }
  if (g_previous.sa_flags & SA_SIGINFO) {
    if (g_previous.sa_sigaction != nullptr) return g_previous.sa_sigaction(sig, info, uctx);
  } else if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN &&
             g_previous.sa_handler != nullptr) {
    return g_previous.sa_handler(sig);
  }
  // Default action: restore it and return; the faulting access repeats and ends the process.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  (void)::sigaction(SIGBUS, &dfl, nullptr);
  if (info->si_code <= 0) ::raise(SIGBUS);  // sent by kill(), not a fault: deliver it again
}

bool install_guard() {
  static const bool installed = [] {
    g_page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
    struct sigaction sa {};
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    return ::sigaction(SIGBUS, &sa, &g_previous) == 0;
  }();
  return installed;
}

int guard_register(uintptr_t start, uintptr_t end) {
  for (size_t i = 0; i < g_slots.size(); ++i) {
    uintptr_t expected = 0;
    if (g_slots[i].start.compare_exchange_strong(expected, start, std::memory_order_acq_rel)) {
      g_slots[i].truncated.store(false, std::memory_order_relaxed);
      g_slots[i].end.store(end, std::memory_order_release);
      return static_cast<int>(i);
    }
  }
  return -1;
}

void guard_unregister(int slot) {
  if (slot < 0) return;
  g_slots[static_cast<size_t>(slot)].end.store(0, std::memory_order_release);
  g_slots[static_cast<size_t>(slot)].start.store(0, std::memory_order_release);
}

size_t page_size() {
  static const size_t p = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  return p;
}

}  // namespace

std::unique_ptr<MappedBlobStream> MappedBlobStream::open(const FileRangeStream& range,
                                                         std::optional<core::Digest> expected,
                                                         std::string name, size_t block,
                                                         size_t window) {
  uint64_t offset = range.position();
  uint64_t length = range.end() - offset;
  struct stat st {};
  if (length == 0 || ::fstat(range.fd(), &st) != 0 || !S_ISREG(st.st_mode) ||
      static_cast<uint64_t>(st.st_size) < range.end() || length > SIZE_MAX / 2 || !install_guard())
    return nullptr;
  uint64_t aligned = offset & ~static_cast<uint64_t>(page_size() - 1);
  size_t lead = static_cast<size_t>(offset - aligned);
  size_t map_len = static_cast<size_t>(length) + lead;
  void* p =
      ::mmap(nullptr, map_len, PROT_READ, MAP_PRIVATE, range.fd(), static_cast<off_t>(aligned));
  if (p == MAP_FAILED) return nullptr;
  ::madvise(p, map_len, MADV_SEQUENTIAL);  // read-ahead; pages behind are released by us
  block = std::max<size_t>(block, 1);
  window = std::max(window, block);
  std::unique_ptr<MappedBlobStream> s(
      new MappedBlobStream(static_cast<std::byte*>(p), map_len, lead, length, std::move(expected),
                           std::move(name), range.name(), block, window));
  auto start = reinterpret_cast<uintptr_t>(p);
  s->guard_slot_ = guard_register(start, start + map_len);
  if (s->guard_slot_ < 0) return nullptr;  // too many live mappings: pread then
  try {
    s->hasher_ = std::thread([raw = s.get()] { raw->hash_all(); });
  } catch (const std::system_error&) {
    return nullptr;
  }
  return s;
}

MappedBlobStream::MappedBlobStream(std::byte* map, size_t map_len, size_t lead, uint64_t length,
                                   std::optional<core::Digest> expected, std::string name,
                                   std::string file_name, size_t block, size_t window)
    : map_(map),
      map_len_(map_len),
      lead_(lead),
      data_(map + lead),
      length_(length),
      expected_(std::move(expected)),
      name_(std::move(name)),
      file_name_(std::move(file_name)),
      block_(block),
      window_(window) {}

MappedBlobStream::~MappedBlobStream() {
  if (hasher_.joinable()) {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    hasher_.join();
  }
  guard_unregister(guard_slot_);
  ::munmap(map_, map_len_);
}

bool MappedBlobStream::truncated() const {
  return guard_slot_ >= 0 &&
         g_slots[static_cast<size_t>(guard_slot_)].truncated.load(std::memory_order_acquire);
}

void MappedBlobStream::hash_all() {
  core::Sha256 hasher;
  uint64_t pos = 0;
  while (pos < length_) {
    uint64_t n = std::min<uint64_t>(block_, length_ - pos);
    {
      std::unique_lock lock(mu_);
      if (pos + n > consumed_ + window_) {
        hasher_waiting_ = true;
        cv_.wait(lock, [&] { return stop_ || pos + n <= consumed_ + window_; });
        hasher_waiting_ = false;
      }
      if (stop_) return;
    }
    populate(pos, n);
    hasher.update(std::span<const std::byte>(data_ + pos, static_cast<size_t>(n)));
    pos += n;
    std::lock_guard lock(mu_);
    hashed_ = pos;
    if (reader_waiting_) cv_.notify_all();
  }
  hex_ = hasher.hex_final();
}

// Maps the block's pages in one call instead of a page fault per 64 KiB (fault-around): the
// hasher touches them first, the decompressor finds them mapped. A kernel without
// MADV_POPULATE_READ (before 5.14) refuses it and the faults happen as usual.
void MappedBlobStream::populate(uint64_t pos, uint64_t n) {
#ifndef MADV_POPULATE_READ
  constexpr int MADV_POPULATE_READ = 22;  // include/uapi/asm-generic/mman-common.h
#endif
  size_t from = static_cast<size_t>(lead_ + pos) & ~(page_size() - 1);
  size_t to = static_cast<size_t>(lead_ + pos + n);
  ::madvise(map_ + from, to - from, MADV_POPULATE_READ);
}

void MappedBlobStream::release_behind(uint64_t pos) {
  size_t upto = static_cast<size_t>(lead_ + pos) & ~(page_size() - 1);
  if (upto < released_ + kReleaseStep) return;
  // The file's pages stay in the page cache; only this mapping lets go of them.
  ::madvise(map_ + released_, upto - released_, MADV_DONTNEED);
  released_ = upto;
}

Result<std::span<const std::byte>> MappedBlobStream::take(size_t max) {
  if (error_) return *error_;
  if (pos_ == length_) {
    BW_TRY(finish());
    return std::span<const std::byte>();
  }
  size_t n = static_cast<size_t>(std::min<uint64_t>(max, length_ - pos_));
  uint64_t low = 0;
  {
    std::unique_lock lock(mu_);
    consumed_ = pos_;  // what was lent before is done with now
    if (hasher_waiting_) cv_.notify_all();
    if (pos_ + n > hashed_ + window_) {
      reader_waiting_ = true;
      cv_.wait(lock, [&] { return pos_ + n <= hashed_ + window_; });
      reader_waiting_ = false;
    }
    low = std::min(hashed_, pos_);
  }
  release_behind(low);
  if (truncated()) {
    error_ = Error::invalid(file_name_ + ": file changed (truncated) while it was being read");
    return *error_;
  }
  auto out = std::span<const std::byte>(data_ + pos_, n);
  pos_ += n;
  return out;
}

Result<void> MappedBlobStream::finish() {
  if (finished_) return core::ok();
  {
    std::lock_guard lock(mu_);
    consumed_ = length_;
  }
  cv_.notify_all();
  hasher_.join();
  finished_ = true;
  if (map_len_ > released_) ::madvise(map_ + released_, map_len_ - released_, MADV_DONTNEED);
  released_ = map_len_;
  if (truncated()) {
    error_ = Error::invalid(file_name_ + ": file changed (truncated) while it was being read");
    return *error_;
  }
  computed_ = core::Digest{hex_};
  if (expected_ && *expected_ != *computed_) {
    error_ = Error::digest_mismatch(name_ + ": content hashes to " + computed_->str() +
                                    ", expected " + expected_->str());
    return *error_;
  }
  return core::ok();
}

Result<size_t> MappedBlobStream::read(std::span<std::byte> buf) {
  if (buf.empty()) return size_t{0};
  BW_ASSIGN_OR_RETURN(auto block, take(std::min(buf.size(), block_)));
  if (!block.empty()) std::memcpy(buf.data(), block.data(), block.size());
  return block.size();
}

Result<std::span<const std::byte>> MappedBlobStream::read_block(std::span<std::byte> /*scratch*/) {
  return take(block_);
}

}  // namespace bulwark::image
