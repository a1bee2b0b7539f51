#include "core/digest.hpp"

#include <openssl/evp.h>

#include <array>

namespace bulwark::core {

struct Sha256::Ctx {
  EVP_MD_CTX* md = nullptr;
  Ctx() : md(EVP_MD_CTX_new()) {
    if (md == nullptr || EVP_DigestInit_ex(md, EVP_sha256(), nullptr) != 1) {
      std::abort();  // allocation failure in OpenSSL: nothing sensible to continue with
    }
  }
  ~Ctx() { EVP_MD_CTX_free(md); }
  Ctx(const Ctx&) = delete;
  Ctx& operator=(const Ctx&) = delete;
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(std::span<const std::byte> data) {
  EVP_DigestUpdate(ctx_->md, data.data(), data.size());
}

void Sha256::update(std::string_view data) {
  EVP_DigestUpdate(ctx_->md, data.data(), data.size());
}

std::string Sha256::hex_final() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_->md, out.data(), &len);
  EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(static_cast<size_t>(len) * 2);
  for (unsigned int i = 0; i < len; ++i) {
    hex.push_back(kHex[out[i] >> 4]);
    hex.push_back(kHex[out[i] & 0xf]);
  }
  return hex;
}

std::string Sha256::hex_of(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.hex_final();
}

bool is_lower_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Result<Digest> Digest::parse(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    return Error::invalid("digest '" + std::string(text) + "' has no algorithm prefix");
  }
  auto algo = text.substr(0, colon);
  auto hex = text.substr(colon + 1);
  if (algo != "sha256") {
    return Error::unsupported("digest algorithm '" + std::string(algo) + "' (only sha256)");
  }
  if (hex.size() != 64 || !is_lower_hex(hex)) {
    return Error::invalid("digest '" + std::string(text) + "' is not 64 lowercase hex digits");
  }
  return Digest{std::string(hex)};
}

}  // namespace bulwark::core
