#include "core/path.hpp"

#include <gtest/gtest.h>

namespace bulwark::core {
namespace {

TEST(NormalizeImagePath, StripsDotsAndSlashes) {
  EXPECT_EQ(normalize_image_path("./etc//os-release"), "etc/os-release");
  EXPECT_EQ(normalize_image_path("/usr/lib/../lib/x"), "usr/lib/x");
  EXPECT_EQ(normalize_image_path("./"), "");
}

TEST(NormalizeImagePath, RejectsEscapesAboveTheRoot) {
  EXPECT_EQ(normalize_image_path("../../etc/passwd"), std::nullopt);
  EXPECT_EQ(normalize_image_path("a/../../b"), std::nullopt);
}

TEST(ResolveLinkTarget, ClampsRelativeLinksAtTheRoot) {
  EXPECT_EQ(resolve_link_target("etc/os-release", "../usr/lib/os-release"), "usr/lib/os-release");
  EXPECT_EQ(resolve_link_target("a/b", "../../../../etc/shadow"), "etc/shadow");
  EXPECT_EQ(resolve_link_target("a/b", "/abs/x"), "abs/x");
}

TEST(PathHelpers, SplitAndContain) {
  EXPECT_EQ(parent_path("a/b/c"), "a/b");
  EXPECT_EQ(base_name("a/b/c"), "c");
  EXPECT_TRUE(is_under("opt/keys/id_rsa", "opt/keys"));
  EXPECT_FALSE(is_under("opt/keys2/x", "opt/keys"));
  EXPECT_FALSE(is_under("opt/keys", "opt/keys"));
}

}  // namespace
}  // namespace bulwark::core
