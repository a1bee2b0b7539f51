#include "core/yaml_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace bulwark::core {
namespace {

constexpr YamlTextLimits kLimits{.max_bytes = 1000, .max_flow_depth = 3};

TEST(YamlText, AcceptsNestingUpToTheLimit) {
  EXPECT_TRUE(check_yaml_text("a: [[[1]]]\nb: {c: [d]}\n", "f.yaml", kLimits).ok());
}

TEST(YamlText, RefusesFlowNestingBeyondTheLimitNamingTheInput) {
  auto r = check_yaml_text("a: [[[[1]]]]\n", "f.yaml", kLimits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(r.error().message(), "f.yaml: flow collections nested deeper than 3 levels");
}

TEST(YamlText, BracketsInsideQuotedScalarsDoNotCount) {
  EXPECT_TRUE(check_yaml_text("a: \"[[[[[[\"\nb: '{{{{{{'\n", "f.yaml", kLimits).ok());
}

TEST(YamlText, AnUnterminatedQuoteEndsAtTheLineEnd) {
  // Otherwise one stray quote would hide any amount of nesting after it.
  auto r = check_yaml_text("a: \"open\nb: [[[[1]]]]\n", "f.yaml", kLimits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kLimitExceeded);
}

TEST(YamlText, ClosingBracketsBeyondOpeningOnesDoNotGoNegative) {
  EXPECT_FALSE(check_yaml_text("]]]]]]\na: [[[[1]]]]\n", "f.yaml", kLimits).ok());
}

TEST(YamlText, RefusesBinaryContent) {
  auto r = check_yaml_text(std::string("a: b\n\0c", 7), "bin.yaml", kLimits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(r.error().message(), "bin.yaml: binary content (NUL byte), not YAML");
}

TEST(YamlText, RefusesTextLargerThanTheLimit) {
  auto r = check_yaml_text(std::string(1001, 'a'), "big.yaml", kLimits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(r.error().message(), "big.yaml: 1001 bytes is larger than the 1000 byte YAML limit");
  EXPECT_TRUE(check_yaml_text(std::string(1000, 'a'), "big.yaml", kLimits).ok());
}

}  // namespace
}  // namespace bulwark::core
