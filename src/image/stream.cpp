#include "image/stream.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
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

PipelinedStream::PipelinedStream(ByteStream& source, size_t chunk_size, size_t depth)
    : source_(source),
      chunk_size_(std::max<size_t>(chunk_size, 1)),
      ring_(std::max<size_t>(depth, 1)) {
  for (auto& c : ring_) c.data = std::make_unique_for_overwrite<std::byte[]>(chunk_size_);
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

void PipelinedStream::produce() {
  while (true) {
    Chunk* c = nullptr;
    {
      std::unique_lock lock(mu_);
      auto ready = [&] { return stop_ || filled_ - released_ < ring_.size(); };
      if (!ready()) {
        auto since = std::chrono::steady_clock::now();
        free_cv_.wait(lock, ready);
        waits_.producer += std::chrono::steady_clock::now() - since;
      }
      if (stop_) return;
      c = &ring_[filled_ % ring_.size()];
    }
    // The chunk is free: the consumer touches it only once filled_ counts it. Filled at least
    // half (a decompressor may return a few KiB per call) to keep hand-overs few.
    size_t len = 0;
    std::optional<Error> error;
    bool end = false;  // of the source, or at an error
    while (len < chunk_size_ / 2 + 1) {
      auto n = source_.read(std::span<std::byte>(c->data.get() + len, chunk_size_ - len));
      if (!n.ok()) {
        error = std::move(n).error();
        break;
      }
      if (*n == 0) {
        end = true;
        break;
      }
      len += *n;
      if (len == chunk_size_) break;
    }
    {
      std::lock_guard lock(mu_);
      if (len > 0) {
        c->len = len;
        ++filled_;
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
  if (holding_) {
    ++released_;
    holding_ = false;
    free_cv_.notify_one();
  }
  auto ready = [&] { return taken_ < filled_ || done_; };
  if (!ready()) {
    auto since = std::chrono::steady_clock::now();
    filled_cv_.wait(lock, ready);
    waits_.consumer += std::chrono::steady_clock::now() - since;
  }
  cur_pos_ = 0;
  if (taken_ < filled_) {
    const Chunk& c = ring_[taken_ % ring_.size()];
    ++taken_;
    holding_ = true;
    cur_ = std::span<const std::byte>(c.data.get(), c.len);
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
