#include "core/digest.hpp"

#include <gtest/gtest.h>

namespace bulwark::core {
namespace {

// FIPS 180-2 test vectors.
TEST(Sha256, MatchesPublishedVectors) {
  EXPECT_EQ(Sha256::hex_of(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256::hex_of("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 h;
  for (int i = 0; i < 1000; ++i) h.update(std::string(1000, 'a'));
  EXPECT_EQ(h.hex_final(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Digest, ParsesOnlyWellFormedSha256) {
  auto d = Digest::parse("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->short_str(), "sha256:e3b0c44298fc");
  EXPECT_FALSE(Digest::parse("sha256:E3B0").ok());
  EXPECT_FALSE(
      Digest::parse("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855").ok());
  auto other = Digest::parse("sha512:abcd");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code(), ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace bulwark::core
