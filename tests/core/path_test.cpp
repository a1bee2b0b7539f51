#include "core/path.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

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

// Every path of up to 7 characters over {a, ., /}, against a plain component-stack normaliser
// (POSIX pathname resolution without links): covers the fast path for names that are already
// normal and every way a name can need the slow one.
TEST(NormalizeImagePath, EqualsAComponentStackForEveryShortPath) {
  auto reference = [](const std::string& path) -> std::optional<std::string> {
    std::vector<std::string> stack;
    std::string part;
    for (size_t i = 0; i <= path.size(); ++i) {
      if (i < path.size() && path[i] != '/') {
        part += path[i];
        continue;
      }
      if (part == "..") {
        if (stack.empty()) return std::nullopt;
        stack.pop_back();
      } else if (!part.empty() && part != ".") {
        stack.push_back(part);
      }
      part.clear();
    }
    std::string out;
    for (const auto& p : stack) out += (out.empty() ? "" : "/") + p;
    return out;
  };
  const char alphabet[] = {'a', '.', '/'};
  size_t checked = 0;
  for (size_t len = 0; len <= 7; ++len) {
    size_t combos = 1;
    for (size_t i = 0; i < len; ++i) combos *= 3;
    for (size_t n = 0; n < combos; ++n) {
      std::string path;
      for (size_t i = 0, v = n; i < len; ++i, v /= 3) path += alphabet[v % 3];
      ASSERT_EQ(normalize_image_path(path), reference(path)) << "path: " << path;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 3280U);
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
