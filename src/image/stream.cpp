#include "image/stream.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

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
