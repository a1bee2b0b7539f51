#include "core/serial.hpp"

#include <gtest/gtest.h>

namespace bulwark::core {
namespace {

TEST(Binary, RoundTripsValues) {
  BinaryWriter w;
  w.u64(0);
  w.u64(300);
  w.u64(UINT64_MAX);
  w.i64(-5);
  w.str("hello");
  w.strings({"a", "", "ccc"});
  BinaryReader r(w.data());
  EXPECT_EQ(*r.u64(), 0U);
  EXPECT_EQ(*r.u64(), 300U);
  EXPECT_EQ(*r.u64(), UINT64_MAX);
  EXPECT_EQ(*r.i64(), -5);
  EXPECT_EQ(*r.str(), "hello");
  EXPECT_EQ(*r.strings(), (std::vector<std::string>{"a", "", "ccc"}));
  EXPECT_TRUE(r.at_end());
}

TEST(Binary, TruncatedInputIsAnError) {
  BinaryWriter w;
  w.str("a long enough string");
  std::string data = w.data().substr(0, 5);
  BinaryReader r(data);
  EXPECT_FALSE(r.str().ok());
}

}  // namespace
}  // namespace bulwark::core
