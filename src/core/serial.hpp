// A compact binary encoding for cache files: little-endian varints and length-prefixed
// strings. Chosen over JSON because a warm scan reads tens of thousands of paths from the
// cache and must finish in a few percent of a cold scan's time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace bulwark::core {

class BinaryWriter {
 public:
  void u64(uint64_t v);
  void i64(int64_t v) { u64((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void str(std::string_view s);
  void boolean(bool b) { u64(b ? 1 : 0); }
  void strings(const std::vector<std::string>& v);
  const std::string& data() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// Every read checks bounds; a truncated or corrupt cache file gives an error, and the caller
// treats it as a miss.
class BinaryReader {
 public:
  explicit BinaryReader(std::string_view data) : data_(data) {}
  Result<uint64_t> u64();
  Result<int64_t> i64();
  Result<std::string> str();
  Result<bool> boolean();
  Result<std::vector<std::string>> strings();
  bool at_end() const { return pos_ == data_.size(); }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace bulwark::core
