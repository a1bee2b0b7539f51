#include "core/serial.hpp"

namespace bulwark::core {

void BinaryWriter::u64(uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
}

void BinaryWriter::str(std::string_view s) {
  u64(s.size());
  out_.append(s);
}

void BinaryWriter::strings(const std::vector<std::string>& v) {
  u64(v.size());
  for (const auto& s : v) str(s);
}

Result<uint64_t> BinaryReader::u64() {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= data_.size()) return Error::invalid("truncated varint");
    auto b = static_cast<uint8_t>(data_[pos_++]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return v;
  }
  return Error::invalid("varint longer than 64 bits");
}

Result<int64_t> BinaryReader::i64() {
  BW_ASSIGN_OR_RETURN(uint64_t z, u64());
  return static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
}

Result<std::string> BinaryReader::str() {
  BW_ASSIGN_OR_RETURN(uint64_t n, u64());
  if (n > data_.size() - pos_) return Error::invalid("string runs past the end");
  std::string s(data_.substr(pos_, n));
  pos_ += n;
  return s;
}

Result<bool> BinaryReader::boolean() {
  BW_ASSIGN_OR_RETURN(uint64_t v, u64());
  return v != 0;
}

Result<std::vector<std::string>> BinaryReader::strings() {
  BW_ASSIGN_OR_RETURN(uint64_t n, u64());
  if (n > data_.size() - pos_) return Error::invalid("list count runs past the end");
  std::vector<std::string> v;
  v.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    BW_ASSIGN_OR_RETURN(auto s, str());
    v.push_back(std::move(s));
  }
  return v;
}

}  // namespace bulwark::core
