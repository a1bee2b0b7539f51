// Reference normalisation as docker/distribution's reference package does it (examples from
// its normalize_test.go semantics: Docker Hub default domain and library/ prefix).
#include "registry/reference.hpp"

#include <gtest/gtest.h>

namespace bulwark::registry {
namespace {

TEST(Reference, BareNameGetsDockerHubAndLibraryAndLatest) {
  auto r = parse_reference("debian");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->registry, "docker.io");
  EXPECT_EQ(r->repository, "library/debian");
  EXPECT_EQ(r->tag, "latest");
  EXPECT_EQ(r->str(), "docker.io/library/debian:latest");
  EXPECT_EQ(r->api_host(), "registry-1.docker.io");
}

TEST(Reference, DockerHubUserRepoKeepsItsNamespace) {
  auto r = parse_reference("bitnami/redis:7.2");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->registry, "docker.io");
  EXPECT_EQ(r->repository, "bitnami/redis");
  EXPECT_EQ(r->tag, "7.2");
}

TEST(Reference, IndexDockerIoIsNormalisedToDockerIo) {
  auto r = parse_reference("index.docker.io/ubuntu");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->str(), "docker.io/library/ubuntu:latest");
}

TEST(Reference, HostWithPortIsARegistryNotATag) {
  auto r = parse_reference("127.0.0.1:5000/team/app");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->registry, "127.0.0.1:5000");
  EXPECT_EQ(r->repository, "team/app");
  EXPECT_EQ(r->tag, "latest");
}

TEST(Reference, LocalhostAndDottedHostsAreDomains) {
  EXPECT_EQ(parse_reference("localhost/app:1")->registry, "localhost");
  EXPECT_EQ(parse_reference("ghcr.io/org/app:1")->registry, "ghcr.io");
  // A first component without '.', ':' or "localhost" is a Docker Hub namespace.
  EXPECT_EQ(parse_reference("myhost/app")->registry, "docker.io");
  EXPECT_EQ(parse_reference("myhost/app")->repository, "myhost/app");
}

TEST(Reference, TagAndDigestBothKept) {
  std::string hex(64, 'a');
  auto r = parse_reference("quay.io/x/y:1.0@sha256:" + hex);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->tag, "1.0");
  ASSERT_TRUE(r->digest);
  EXPECT_EQ(r->manifest_ref(), "sha256:" + hex);
  auto d = parse_reference("quay.io/x/y@sha256:" + hex);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->tag, "");
  EXPECT_EQ(d->str(), "quay.io/x/y@sha256:" + hex);
}

TEST(Reference, IPv6HostInBrackets) {
  auto r = parse_reference("[::1]:5000/app:2");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->registry, "[::1]:5000");
  EXPECT_EQ(r->tag, "2");
}

TEST(Reference, SeparatorsInPathComponents) {
  EXPECT_TRUE(parse_reference("example.com/a_b/c__d/e-f/g--h/i.j").ok());
  EXPECT_FALSE(parse_reference("example.com/a___b").ok());
  EXPECT_FALSE(parse_reference("example.com/-a").ok());
  EXPECT_FALSE(parse_reference("example.com/a-").ok());
  EXPECT_FALSE(parse_reference("example.com/a..b").ok());
}

TEST(Reference, RejectsMalformedReferencesWithAReason) {
  auto upper = parse_reference("example.com/Team/app");
  ASSERT_FALSE(upper.ok());
  EXPECT_NE(upper.error().message().find("lowercase"), std::string::npos);
  EXPECT_FALSE(parse_reference("").ok());
  EXPECT_FALSE(parse_reference("app:").ok());
  EXPECT_FALSE(parse_reference("app:-bad").ok());
  EXPECT_FALSE(parse_reference("app:" + std::string(129, 'a')).ok());
  EXPECT_FALSE(parse_reference("app@sha256:123").ok());
  EXPECT_FALSE(parse_reference("app@md5:" + std::string(32, 'a')).ok());
  EXPECT_FALSE(parse_reference("exa_mple.com/app").ok());
  EXPECT_FALSE(parse_reference("host:99999999/app").ok());
  EXPECT_FALSE(parse_reference("example.com/" + std::string(300, 'a')).ok());
}

TEST(Reference, RecognisesOnlyReferencesWithAnExplicitRegistry) {
  EXPECT_TRUE(looks_like_registry_reference("127.0.0.1:5000/app:1"));
  EXPECT_TRUE(looks_like_registry_reference("registry.example.com/team/app:1.4"));
  EXPECT_TRUE(looks_like_registry_reference("localhost/app"));
  EXPECT_FALSE(looks_like_registry_reference("app.tar"));
  EXPECT_FALSE(looks_like_registry_reference("./dir/app"));
  EXPECT_FALSE(looks_like_registry_reference("/tmp/x.oci/blobs"));
  EXPECT_FALSE(looks_like_registry_reference("team/app"));
}

}  // namespace
}  // namespace bulwark::registry
