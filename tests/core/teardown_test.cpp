// core::discard: destroys at once unless the program asked to skip teardown, and never skips
// it in a sanitizer build (LeakSanitizer must see everything freed).
#include "core/teardown.hpp"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace bulwark::core {
namespace {

struct Counted {
  explicit Counted(int& d) : destroyed(&d) {}
  Counted(Counted&& o) noexcept : destroyed(std::exchange(o.destroyed, nullptr)) {}
  Counted(const Counted&) = delete;
  Counted& operator=(const Counted&) = delete;
  Counted& operator=(Counted&&) = delete;
  ~Counted() {
    if (destroyed != nullptr) ++*destroyed;
  }
  int* destroyed;
};

TEST(Teardown, DiscardDestroysAtOnceByDefault) {
  ASSERT_FALSE(skip_teardown());
  int destroyed = 0;
  Counted c(destroyed);
  discard(std::move(c));
  EXPECT_EQ(destroyed, 1);
}

TEST(Teardown, SkippedTeardownKeepsTheValueAliveExceptUnderSanitizers) {
  int destroyed = 0;
  set_skip_teardown(true);
  EXPECT_EQ(skip_teardown(), !kSanitizerBuild);
  std::vector<Counted> many;
  many.emplace_back(destroyed);
  many.emplace_back(destroyed);
  discard(std::move(many));
  set_skip_teardown(false);
  EXPECT_EQ(destroyed, kSanitizerBuild ? 2 : 0);
}

}  // namespace
}  // namespace bulwark::core
