#include "registry/www_authenticate.hpp"

#include <gtest/gtest.h>

namespace bulwark::registry {
namespace {

TEST(WwwAuthenticate, ParsesTheDistributionBearerChallenge) {
  // As Docker Hub sends it.
  auto r = parse_www_authenticate(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/debian:pull")");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->size(), 1U);
  EXPECT_EQ((*r)[0].scheme, "bearer");
  EXPECT_EQ((*r)[0].params.at("realm"), "https://auth.docker.io/token");
  EXPECT_EQ((*r)[0].params.at("service"), "registry.docker.io");
  EXPECT_EQ((*r)[0].params.at("scope"), "repository:library/debian:pull");
}

TEST(WwwAuthenticate, ScopeWithCommasInsideQuotesStaysOneValue) {
  auto r = parse_www_authenticate(R"(Bearer realm="https://a/t", scope="repository:x:pull,push")");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].params.at("scope"), "repository:x:pull,push");
}

TEST(WwwAuthenticate, SeveralChallengesAndCaseInsensitiveNames) {
  auto r = parse_www_authenticate(
      R"(Basic realm="Registry Realm", BEARER Realm="https://t/x", Service=reg)");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->size(), 2U);
  EXPECT_EQ((*r)[0].scheme, "basic");
  EXPECT_EQ((*r)[0].params.at("realm"), "Registry Realm");
  EXPECT_EQ((*r)[1].scheme, "bearer");
  EXPECT_EQ((*r)[1].params.at("realm"), "https://t/x");
  EXPECT_EQ((*r)[1].params.at("service"), "reg");
}

TEST(WwwAuthenticate, QuotedPairsAreUnescaped) {
  auto r = parse_www_authenticate(R"(Basic realm="a \"quoted\" \\ realm")");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].params.at("realm"), R"(a "quoted" \ realm)");
}

TEST(WwwAuthenticate, Token68Challenge) {
  auto r = parse_www_authenticate("Negotiate abc+/def==, Basic realm=x");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->size(), 2U);
  EXPECT_EQ((*r)[0].token68, "abc+/def==");
  EXPECT_EQ((*r)[1].params.at("realm"), "x");
}

TEST(WwwAuthenticate, RejectsMalformedHeaders) {
  EXPECT_FALSE(parse_www_authenticate("").ok());
  EXPECT_FALSE(parse_www_authenticate(R"(Bearer realm="unterminated)").ok());
  EXPECT_FALSE(parse_www_authenticate(R"(Bearer realm="x", service=)").ok());
  // "realm=" alone is a valid token68 (RFC 7235 2.1), not a parameter.
  EXPECT_EQ((*parse_www_authenticate("Bearer realm="))[0].token68, "realm=");
  EXPECT_FALSE(parse_www_authenticate("\"quoted-scheme\"").ok());
  EXPECT_FALSE(parse_www_authenticate(std::string(20000, 'a')).ok());
}

}  // namespace
}  // namespace bulwark::registry
