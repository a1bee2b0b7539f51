// SHA-256 through OpenSSL's EVP interface (uses SHA-NI/AVX2 where present: several times
// faster than a portable implementation) and the "algorithm:hex" digest strings of OCI.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace bulwark::core {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::span<const std::byte> data);
  void update(std::string_view data);
  // Lowercase hex of the digest; the hasher is reset afterwards.
  std::string hex_final();

  static std::string hex_of(std::string_view data);

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

// A validated "sha256:<64 lowercase hex>" digest. Other algorithms are rejected as unsupported,
// since every digest bulwark verifies is computed with SHA-256.
struct Digest {
  std::string hex;  // 64 lowercase hex characters

  static Result<Digest> parse(std::string_view text);
  static Digest of(std::string_view data) { return Digest{Sha256::hex_of(data)}; }
  std::string str() const { return "sha256:" + hex; }
  std::string short_str() const { return "sha256:" + hex.substr(0, 12); }
  bool operator==(const Digest&) const = default;
  auto operator<=>(const Digest&) const = default;
};

bool is_lower_hex(std::string_view s);

}  // namespace bulwark::core
