#include "image/stream.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>
#include <system_error>

namespace bulwark::image {

using core::Error;
using core::Result;

Result<size_t> FileRangeStream::read(std::span<std::byte> buf) {
  uint64_t want = std::min<uint64_t>(buf.size(), end_ - pos_);
  if (want == 0) return size_t{0};
  while (true) {
    ssize_t n = ::pread(*fd_, buf.data(), want, static_cast<off_t>(pos_));
    if (n < 0) {
      int err = errno;
      if (err == EINTR) continue;
      return Error::from_errno(name_ + ": read", err);
    }
    if (n == 0) return Error::invalid(name_ + ": file ends before the blob does (truncated)");
    pos_ += static_cast<uint64_t>(n);
    return static_cast<size_t>(n);
  }
}

Result<size_t> MemoryStream::read(std::span<std::byte> buf) {
  size_t n = std::min(buf.size(), data_.size() - pos_);
  std::memcpy(buf.data(), data_.data() + pos_, n);
  pos_ += n;
  return n;
}

Result<size_t> HashingStream::read(std::span<std::byte> buf) {
  BW_ASSIGN_OR_RETURN(size_t n, inner_->read(buf));
  if (n > 0) {
    hasher_.update(buf.first(n));
    bytes_ += n;
    return n;
  }
  if (!computed_) {
    computed_ = core::Digest{hasher_.hex_final()};
    if (expected_ && *expected_ != *computed_) {
      return Error::digest_mismatch(name_ + ": content hashes to " + computed_->str() +
                                    ", expected " + expected_->str());
    }
  }
  return size_t{0};
}

namespace {

// Rings for PipelinedStream, kept for the next stream once one is done: a layer's ring (16 MiB)
// then arrives with its pages already mapped, where a fresh one would fault every page in again
// (on big, six layers: ~8,000 page faults). Rings are kept only while another ring is in use:
// once no pipeline runs (the layers are read), their pages go back to the OS, so that what
// comes after (building the SBOM, writing it) does not add to the peak on top of them. They are
// mapped directly, so that giving one back always returns its pages (a malloc'd block of this
// size may stay in the heap).
class RingPool {
 public:
  static RingPool& instance() {
    static auto* pool = new RingPool;  // never destroyed: streams may end during exit
    return *pool;
  }
  std::shared_ptr<std::byte[]> take(size_t size) {
    void* ring = nullptr;
    {
      std::lock_guard lock(mu_);
      ++in_use_;
      for (auto it = kept_.begin(); it != kept_.end(); ++it) {
        if (it->first == size) {
          ring = it->second;
          kept_.erase(it);
          break;
        }
      }
    }
    if (ring == nullptr) {
      ring = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (ring == MAP_FAILED) {
        std::lock_guard lock(mu_);
        --in_use_;
        throw std::bad_alloc();
      }
    }
    return {static_cast<std::byte*>(ring), [size](std::byte* p) { instance().give(p, size); }};
  }

 private:
  static constexpr size_t kMaxKept = 4;
  void give(std::byte* p, size_t size) {
    std::vector<std::pair<size_t, void*>> unmap;
    {
      std::lock_guard lock(mu_);
      --in_use_;
      if (in_use_ > 0 && kept_.size() < kMaxKept) {
        kept_.emplace_back(size, p);
        p = nullptr;
      } else if (in_use_ == 0) {
        unmap.swap(kept_);
      }
    }
    if (p != nullptr) ::munmap(p, size);
    for (const auto& [n, q] : unmap) ::munmap(q, n);
  }
  std::mutex mu_;
  size_t in_use_ = 0;
  std::vector<std::pair<size_t, void*>> kept_;
};

}  // namespace

PipelinedStream::PipelinedStream(ByteStream& source, size_t chunk_size, size_t depth)
    : source_(source),
      chunk_size_(std::max<size_t>(chunk_size, 1)),
      ring_size_(chunk_size_ * std::max<size_t>(depth, 1)) {
  ring_ = RingPool::instance().take(ring_size_);
  try {
    thread_ = std::thread([this] { produce(); });
  } catch (const std::system_error&) {
    direct_ = true;
  }
}

PipelinedStream::PipelinedStream(std::unique_ptr<ByteStream> source, size_t chunk_size,
                                 size_t depth)
    : PipelinedStream(*source, chunk_size, depth) {
  owned_ = std::move(source);
}

PipelinedStream::~PipelinedStream() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  free_cv_.notify_all();
  source_.cancel();  // the thread may be inside source_.read(), waiting on the network
  thread_.join();
}

bool PipelinedStream::source_writes_in_place() const {
  std::lock_guard lock(mu_);
  return in_place_;
}

std::optional<std::span<std::byte>> PipelinedStream::writable_span() {
  // Hand the source at least a chunk's worth where the ring allows (fewer, larger hand-overs),
  // and never less than it asked for.
  const size_t want = std::max(min_write_, std::min(chunk_size_, ring_size_ / 4));
  // What the consumer has not given back runs from the oldest segment's start to head_,
  // possibly across the ring's end.
  const bool empty = segments_.empty();
  const size_t oldest = empty ? 0 : segments_.front().offset;
  if (empty || oldest < head_) {
    // Free up to the ring's end; the source keeps writing on where it stopped until fewer than
    // min_write_ bytes are left there (the promise to a source that decodes in place).
    if (ring_size_ - head_ >= min_write_) {
      return std::span<std::byte>(ring_.get() + head_, ring_size_ - head_);
    }
    size_t start_free = empty ? ring_size_ : oldest;
    if (start_free < want) return std::nullopt;
    head_ = 0;
    return std::span<std::byte>(ring_.get(), start_free);
  }
  if (oldest == head_) return std::nullopt;  // full
  if (oldest - head_ < want) return std::nullopt;
  return std::span<std::byte>(ring_.get() + head_, oldest - head_);
}

void PipelinedStream::produce() {
  // Asked before the first read, on the thread that does all the reads.
  if (size_t m = source_.accept_output_ring(ring_size_); m > 0) {
    std::lock_guard lock(mu_);
    min_write_ = m;
    in_place_ = true;
  }
  while (true) {
    std::span<std::byte> span;
    {
      std::unique_lock lock(mu_);
      std::optional<std::span<std::byte>> w;
      auto ready = [&] {
        if (stop_) return true;
        w = writable_span();
        return w.has_value();
      };
      if (!ready()) {
        auto since = std::chrono::steady_clock::now();
        free_cv_.wait(lock, ready);
        waits_.producer += std::chrono::steady_clock::now() - since;
      }
      if (stop_) return;
      span = w->first(std::min(w->size(), std::max(chunk_size_, min_write_)));
    }
    // The span is free: the consumer touches it only once a segment covers it. Filled at
    // least half (a decompressor may return a few KiB per call) to keep hand-overs few.
    size_t len = 0;
    std::optional<Error> error;
    bool end = false;  // of the source, or at an error
    while (span.size() - len >= min_write_ && len <= span.size() / 2) {
      auto n = source_.read(span.subspan(len));
      if (!n.ok()) {
        error = std::move(n).error();
        break;
      }
      if (*n == 0) {
        end = true;
        break;
      }
      len += *n;
    }
    {
      std::lock_guard lock(mu_);
      if (len > 0) {
        size_t offset = static_cast<size_t>(span.data() - ring_.get());
        segments_.push_back(Segment{offset, len});
        head_ = offset + len;
      }
      if (error) end = true;
      if (end) {
        error_ = std::move(error);
        done_ = true;
      }
    }
    filled_cv_.notify_one();
    if (end) return;
  }
}

Result<void> PipelinedStream::advance() {
  std::unique_lock lock(mu_);
  if (taken_ > 0) {
    segments_.pop_front();
    taken_ = 0;
    free_cv_.notify_one();
  }
  auto ready = [&] { return !segments_.empty() || done_; };
  if (!ready()) {
    auto since = std::chrono::steady_clock::now();
    filled_cv_.wait(lock, ready);
    waits_.consumer += std::chrono::steady_clock::now() - since;
  }
  cur_pos_ = 0;
  if (!segments_.empty()) {
    const Segment& s = segments_.front();
    taken_ = 1;
    cur_ = std::span<const std::byte>(ring_.get() + s.offset, s.len);
    return core::ok();
  }
  cur_ = {};
  if (error_) return *error_;
  return core::ok();
}

PipelinedStream::Waits PipelinedStream::waits() const {
  std::lock_guard lock(mu_);
  return waits_;
}

Result<size_t> PipelinedStream::read(std::span<std::byte> buf) {
  if (direct_) return source_.read(buf);
  if (cur_pos_ == cur_.size()) {
    BW_TRY(advance());
    if (cur_.empty()) return size_t{0};
  }
  size_t n = std::min(buf.size(), cur_.size() - cur_pos_);
  std::memcpy(buf.data(), cur_.data() + cur_pos_, n);
  cur_pos_ += n;
  return n;
}

Result<std::span<const std::byte>> PipelinedStream::read_block(std::span<std::byte> scratch) {
  if (direct_) return ByteStream::read_block(scratch);
  if (cur_pos_ == cur_.size()) BW_TRY(advance());
  auto rest = cur_.subspan(cur_pos_);
  cur_pos_ = cur_.size();
  return rest;
}

Result<std::string> read_all(ByteStream& s, uint64_t limit, std::string_view name) {
  std::string out;
  std::byte buf[65536];
  while (true) {
    BW_ASSIGN_OR_RETURN(size_t n, s.read(buf));
    if (n == 0) return out;
    if (out.size() + n > limit) {
      return Error::limit(std::string(name) + ": larger than the limit of " +
                          std::to_string(limit) + " bytes");
    }
    out.append(reinterpret_cast<const char*>(buf), n);
  }
}

}  // namespace bulwark::image
