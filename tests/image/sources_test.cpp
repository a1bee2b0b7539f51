#include <gtest/gtest.h>

#include <filesystem>

#include "core/json.hpp"
#include "image/image.hpp"
#include "support/image_builder.hpp"
#include "support/test_env.hpp"

namespace bulwark::image {
namespace {

using testing::ImageBuilder;
using testing::LayerCompression;
using testing::TarEntry;

ImageBuilder two_layer_image(LayerCompression c = LayerCompression::kGzip) {
  ImageBuilder b;
  b.layer({TarEntry::dir("etc"), TarEntry::file("etc/os-release", "ID=debian\n")}, c)
      .layer({TarEntry::file("app/main.py", "print(1)\n")}, c)
      .config_field("User", "1000");
  return b;
}

TEST(OpenImage, ReadsClassicDockerArchive) {
  testing::TempDir tmp;
  auto path = tmp.str() + "/img.tar";
  two_layer_image().write_docker_archive(path, /*classic=*/true);
  auto img = open_image("docker-archive:" + path, {});
  ASSERT_TRUE(img.ok()) << img.error().message();
  EXPECT_EQ(img->source, "docker-archive");
  EXPECT_EQ(img->reference, "test/image:1.0");
  ASSERT_EQ(img->layers.size(), 2U);
  EXPECT_FALSE(img->layers[0].blob.digest.has_value());  // classic paths are not content addresses
  EXPECT_TRUE(img->layers[0].diff_id.has_value());
  EXPECT_EQ(img->layers[1].created_by, "layer 2");
  EXPECT_EQ(core::json_string(img->config["config"], "User"), "1000");
}

TEST(OpenImage, ReadsContainerdDockerArchiveWithGzipBlobs) {
  testing::TempDir tmp;
  auto path = tmp.str() + "/img.tar";
  auto b = two_layer_image();
  b.write_docker_archive(path, /*classic=*/false);
  auto img = open_image(path, {});  // recognised by content
  ASSERT_TRUE(img.ok()) << img.error().message();
  EXPECT_EQ(img->source, "docker-archive");
  ASSERT_EQ(img->layers.size(), 2U);
  ASSERT_TRUE(img->layers[0].blob.digest.has_value());
  EXPECT_EQ(img->layers[0].blob.digest->hex, testing::sha256_hex(b.layers()[0].stored));
  EXPECT_TRUE(img->manifest_digest.has_value());
}

TEST(OpenImage, ReadsOciLayoutAndArchiveAlike) {
  testing::TempDir tmp;
  auto b = two_layer_image(LayerCompression::kZstd);
  b.write_oci_layout(tmp.str() + "/layout");
  b.write_oci_archive(tmp.str() + "/img.oci.tar");
  auto dir = open_image("oci:" + tmp.str() + "/layout:1.0", {});
  auto bare = open_image(tmp.str() + "/layout", {});
  auto tar = open_image("oci-archive:" + tmp.str() + "/img.oci.tar", {});
  ASSERT_TRUE(dir.ok()) << dir.error().message();
  ASSERT_TRUE(bare.ok()) << bare.error().message();
  ASSERT_TRUE(tar.ok()) << tar.error().message();
  EXPECT_EQ(dir->source, "oci-layout");
  EXPECT_EQ(tar->source, "oci-archive");
  EXPECT_EQ(dir->reference, "1.0");
  EXPECT_EQ(dir->manifest_digest, tar->manifest_digest);
  EXPECT_EQ(dir->layers[1].media_type, "application/vnd.oci.image.layer.v1.tar+zstd");
  EXPECT_EQ(*dir->layers[1].declared_compression, Compression::kZstd);
}

TEST(OpenImage, UnknownRefIsNotFound) {
  testing::TempDir tmp;
  two_layer_image().write_oci_layout(tmp.str() + "/layout");
  auto img = open_image("oci:" + tmp.str() + "/layout:2.0", {});
  ASSERT_FALSE(img.ok());
  EXPECT_NE(img.error().message().find("no manifest is tagged '2.0'"), std::string::npos);
}

TEST(OpenImage, SelectsPlatformFromAMultiPlatformIndex) {
  testing::TempDir tmp;
  ImageBuilder amd64;
  amd64.layer({TarEntry::file("arch", "amd64")});
  ImageBuilder arm64;
  arm64.architecture("arm64", "v8").layer({TarEntry::file("arch", "arm64")});
  ImageBuilder::write_oci_index(tmp.str() + "/multi", {&amd64, &arm64});

  auto arm = open_image(tmp.str() + "/multi", {Platform{"linux", "arm64", ""}});
  ASSERT_TRUE(arm.ok()) << arm.error().message();
  EXPECT_EQ(arm->platform.architecture, "arm64");
  EXPECT_EQ(arm->available_platforms.size(), 2U);
  auto def = open_image(tmp.str() + "/multi", {});
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def->platform.architecture, "amd64");  // the host's (amd64 here), then linux/amd64
  auto none = open_image(tmp.str() + "/multi", {Platform{"linux", "s390x", ""}});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message().find("available: linux/amd64, linux/arm64/v8"),
            std::string::npos)
      << none.error().message();
}

TEST(OpenImage, ExplicitPlatformMustMatchASingleImage) {
  testing::TempDir tmp;
  two_layer_image().write_docker_archive(tmp.str() + "/img.tar");
  auto wrong = open_image(tmp.str() + "/img.tar", {Platform{"linux", "arm64", ""}});
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message().find("image is linux/amd64, not linux/arm64"),
            std::string::npos);
  EXPECT_TRUE(open_image(tmp.str() + "/img.tar", {Platform{"linux", "amd64", ""}}).ok());
}

TEST(OpenImage, LayoutBlobsMayNotPointOutsideTheLayout) {
  testing::TempDir tmp;
  auto b = two_layer_image();
  b.write_oci_layout(tmp.str() + "/layout");
  auto config = tmp.path() / "layout/blobs/sha256" / testing::sha256_hex(b.config_json());
  testing::write_file(tmp.path() / "outside.json", b.config_json());
  std::filesystem::remove(config);
  std::filesystem::create_symlink(tmp.path() / "outside.json", config);
  auto img = open_image(tmp.str() + "/layout", {});
  ASSERT_FALSE(img.ok());
  EXPECT_NE(img.error().message().find("outside the layout"), std::string::npos);
}

TEST(OpenImage, TamperedManifestBlobIsRejectedNamingIt) {
  testing::TempDir tmp;
  auto b = two_layer_image();
  b.write_oci_layout(tmp.str() + "/layout");
  auto manifest_hex = testing::sha256_hex(b.manifest_json());
  testing::write_file(tmp.path() / "layout/blobs/sha256" / manifest_hex, b.manifest_json() + " ");
  auto img = open_image(tmp.str() + "/layout", {});
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.error().code(), core::ErrorCode::kDigestMismatch);
  EXPECT_NE(img.error().message().find(manifest_hex), std::string::npos);
}

TEST(OpenImage, ManifestNamingAMissingBlobFails) {
  testing::TempDir tmp;
  auto b = two_layer_image();
  b.write_oci_layout(tmp.str() + "/layout");
  std::filesystem::remove(tmp.path() / "layout/blobs/sha256" /
                          testing::sha256_hex(b.config_json()));
  auto img = open_image(tmp.str() + "/layout", {});
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.error().code(), core::ErrorCode::kNotFound);
}

TEST(OpenImage, DockerSchema1IsUnsupported) {
  testing::TempDir tmp;
  std::string manifest = R"({"schemaVersion":1,"name":"x","tag":"1","fsLayers":[]})";
  auto dir = tmp.path() / "layout";
  testing::write_file(dir / "blobs/sha256" / testing::sha256_hex(manifest), manifest);
  testing::write_file(dir / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  testing::write_file(
      dir / "index.json",
      R"({"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v1+json","digest":"sha256:)" +
          testing::sha256_hex(manifest) + R"(","size":)" + std::to_string(manifest.size()) + "}]}");
  auto img = open_image(dir.string(), {});
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.error().code(), core::ErrorCode::kUnsupported);
}

TEST(OpenImage, MalformedInputsGiveOneLineErrors) {
  testing::TempDir tmp;
  testing::write_file(tmp.path() / "notatar", "hello world, not a tar");
  auto a = open_image(tmp.str() + "/notatar", {});
  ASSERT_FALSE(a.ok());
  testing::write_plain_tar(tmp.str() + "/bad.tar", {{"manifest.json", "[{\"Config\": 12"}});
  auto b = open_image(tmp.str() + "/bad.tar", {});
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().message().find("malformed JSON"), std::string::npos);
  testing::write_plain_tar(tmp.str() + "/escape.tar",
                           {{"manifest.json", R"([{"Config":"../../etc/passwd","Layers":[]}])"}});
  auto c = open_image(tmp.str() + "/escape.tar", {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message().find("unsafe"), std::string::npos);
  for (const auto& r : {a, b, c}) EXPECT_EQ(r.error().message().find('\n'), std::string::npos);
}

TEST(OpenImage, PlainDirectoryIsARootfs) {
  testing::TempDir tmp;
  testing::write_file(tmp.path() / "etc/os-release", "ID=alpine\n");
  auto img = open_image(tmp.str(), {});
  ASSERT_TRUE(img.ok());
  EXPECT_EQ(img->source, "dir");
  EXPECT_TRUE(img->layers.empty());
}

}  // namespace
}  // namespace bulwark::image
