#include "core/result.hpp"

#include <gtest/gtest.h>

namespace bulwark::core {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return Error::invalid("not positive: " + std::to_string(v));
  return v;
}

Result<int> doubled(int v) {
  BW_ASSIGN_OR_RETURN(int x, parse_positive(v));
  return x * 2;
}

TEST(Result, CarriesValueOrError) {
  auto ok = doubled(4);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 8);
  auto bad = doubled(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(bad.error().message(), "not positive: -1");
}

TEST(Result, ContextIsPrependedOutwards) {
  auto e =
      Error::invalid("truncated").with_context("usr/lib/x.jar").with_context("layer sha256:ab12");
  EXPECT_EQ(e.message(), "layer sha256:ab12: usr/lib/x.jar: truncated");
}

}  // namespace
}  // namespace bulwark::core
