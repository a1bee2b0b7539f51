#include "registry/manifest.hpp"

#include <gtest/gtest.h>

namespace bulwark::registry {
namespace {

const std::string kHex(64, 'b');

TEST(Manifest, ParsesAnOciIndexWithPlatforms) {
  std::string body =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",
    "manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:)" +
      kHex + R"(","size":10,"platform":{"os":"linux","architecture":"arm64","variant":"v8"}}]})";
  auto m = parse_manifest(body, "application/vnd.oci.image.index.v1+json", "test");
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_TRUE(m->is_index);
  ASSERT_EQ(m->manifests.size(), 1U);
  EXPECT_EQ(m->manifests[0].platform->str(), "linux/arm64/v8");
}

TEST(Manifest, ParsesADockerSchema2ManifestFromContentType) {
  std::string body =
      R"({"schemaVersion":2,"config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"sha256:)" +
      kHex +
      R"(","size":5},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","digest":"sha256:)" +
      kHex + R"(","size":7}]})";
  auto m = parse_manifest(body, "application/vnd.docker.distribution.manifest.v2+json", "test");
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_FALSE(m->is_index);
  EXPECT_EQ(m->media_type, kDockerManifest);
  ASSERT_EQ(m->layers.size(), 1U);
  EXPECT_EQ(m->layers[0].size, 7);
}

TEST(Manifest, SchemaOneIsUnsupportedWithAClearMessage) {
  auto m = parse_manifest(R"({"schemaVersion":1,"fsLayers":[]})",
                          "application/vnd.docker.distribution.manifest.v1+prettyjws", "reg x");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code(), core::ErrorCode::kUnsupported);
  EXPECT_NE(m.error().message().find("schema 1"), std::string::npos);
  EXPECT_EQ(m.error().message().rfind("reg x", 0), 0U);
  auto m2 = parse_manifest(R"({"schemaVersion":1})", "application/json", "reg x");
  ASSERT_FALSE(m2.ok());
  EXPECT_EQ(m2.error().code(), core::ErrorCode::kUnsupported);
}

TEST(Manifest, RejectsGarbageAndMissingParts) {
  EXPECT_FALSE(parse_manifest("<html>", "", "t").ok());
  EXPECT_FALSE(parse_manifest("[]", "", "t").ok());
  EXPECT_FALSE(
      parse_manifest(
          R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"})", "",
          "t")
          .ok());
  EXPECT_FALSE(parse_manifest(
                   R"({"schemaVersion":2,"manifests":[{"digest":"sha256:12","size":1}]})", "", "t")
                   .ok());
  EXPECT_FALSE(parse_manifest(R"({"schemaVersion":2,"mediaType":"text/plain"})", "", "t").ok());
}

TEST(Manifest, ContentTypeThatContradictsTheDocumentIsRejected) {
  std::string body =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]})";
  EXPECT_FALSE(parse_manifest(body, "application/vnd.oci.image.manifest.v1+json", "t").ok());
  EXPECT_TRUE(
      parse_manifest(body, "application/vnd.oci.image.index.v1+json; charset=utf-8", "t").ok());
}

}  // namespace
}  // namespace bulwark::registry
