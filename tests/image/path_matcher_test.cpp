#include "image/path_matcher.hpp"

#include <gtest/gtest.h>

namespace bulwark::image {
namespace {

TEST(PathMatcher, FileNameSuffixesMatchOnlyWholeNamesBelowADirectory) {
  PathMatcher m({{PathPattern::suffix("/composer.lock")},
                 {PathPattern::suffix(".deps.json"), PathPattern::suffix("/composer.lock")},
                 {PathPattern::suffix("/vendor/composer/installed.json")},
                 {PathPattern::exact("composer.lock")}});
  EXPECT_EQ(m.match("app/composer.lock"), 0b0011U);
  EXPECT_EQ(m.match("composer.lock"), 0b1000U);  // no '/': only the exact pattern
  EXPECT_EQ(m.match("app/xcomposer.lock"), 0U);
  EXPECT_EQ(m.match("app/composer.lock.bak"), 0U);
  EXPECT_EQ(m.match("srv/App.deps.json"), 0b0010U);
  EXPECT_EQ(m.match("a/vendor/composer/installed.json"), 0b0100U);
  EXPECT_EQ(m.match("a/other/installed.json"), 0U);
}

}  // namespace
}  // namespace bulwark::image
