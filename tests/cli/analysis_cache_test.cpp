// The image-wide analysis cache: a repeated scan of an unchanged image is served from one cache
// file, and nothing that changed the image or the scan is ever served from it.
#include "cli/analysis_cache.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "support/image_builder.hpp"
#include "support/test_env.hpp"

namespace bulwark {
namespace {

using testing::ImageBuilder;
using testing::TarEntry;

struct Run {
  int rc;
  std::string out;
  std::string err;
};

Run bulwark(const std::string& args) {
  testing::TempDir tmp;
  std::string out;
  int rc = testing::run_command("SOURCE_DATE_EPOCH=1704067200 '" + testing::bulwark_binary() +
                                    "' " + args + " 2>'" + tmp.str() + "/err'",
                                &out);
  return {rc, out, testing::read_file(tmp.path() / "err")};
}

void write_image(const std::string& path, const std::string& package) {
  ImageBuilder b;
  b.layer({TarEntry::file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n")});
  b.layer({TarEntry::file("var/lib/dpkg/status", "Package: " + package +
                                                     "\nStatus: install ok installed\n"
                                                     "Version: 1.0-1\nArchitecture: amd64\n\n"),
           TarEntry::file("tmp/gone", "x")});
  b.layer({TarEntry::whiteout("tmp/gone")});
  b.write_docker_archive(path);
  testing::let_files_settle();
}

size_t files_under(const std::filesystem::path& dir) {
  size_t n = 0;
  if (!std::filesystem::exists(dir)) return 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    n += e.is_regular_file() ? 1 : 0;
  return n;
}

TEST(AnalysisCache, WarmScanIsServedWithoutAnyLayerResult) {
  testing::TempDir tmp;
  write_image(tmp.str() + "/img.tar", "zlib1g");
  std::string cache = tmp.str() + "/cache";
  auto cold = bulwark("sbom -f json --cache-dir " + cache + " " + tmp.str() + "/img.tar");
  ASSERT_EQ(cold.rc, 0) << cold.err;
  EXPECT_EQ(files_under(cache + "/images"), 1U);

  // Without the layer results the warm scan can only have come from the image-wide entry.
  std::filesystem::remove_all(cache + "/layers");
  auto warm = bulwark("-v sbom -f json --cache-dir " + cache + " " + tmp.str() + "/img.tar");
  ASSERT_EQ(warm.rc, 0) << warm.err;
  EXPECT_NE(warm.err.find("analysis from cache"), std::string::npos) << warm.err;
  EXPECT_EQ(warm.out, cold.out);
  EXPECT_NE(warm.out.find("zlib1g"), std::string::npos);
}

TEST(AnalysisCache, ReplacedImageFileIsAnalyzedAgain) {
  testing::TempDir tmp;
  std::string img = tmp.str() + "/img.tar";
  std::string cache = tmp.str() + "/cache";
  write_image(img, "zlib1g");
  ASSERT_EQ(bulwark("sbom -f json --cache-dir " + cache + " " + img).rc, 0);
  write_image(img, "libssl3");  // same path, other content
  auto again = bulwark("-v sbom -f json --cache-dir " + cache + " " + img);
  ASSERT_EQ(again.rc, 0) << again.err;
  EXPECT_EQ(again.err.find("analysis from cache"), std::string::npos) << again.err;
  EXPECT_NE(again.out.find("libssl3"), std::string::npos);
  EXPECT_EQ(again.out.find("zlib1g"), std::string::npos);
}

TEST(AnalysisCache, CorruptEntryIsAMissNotAnError) {
  testing::TempDir tmp;
  std::string img = tmp.str() + "/img.tar";
  std::string cache = tmp.str() + "/cache";
  write_image(img, "zlib1g");
  auto cold = bulwark("sbom -f json --cache-dir " + cache + " " + img);
  ASSERT_EQ(cold.rc, 0) << cold.err;
  for (const auto& e : std::filesystem::recursive_directory_iterator(cache + "/images")) {
    if (!e.is_regular_file()) continue;
    auto data = testing::read_file(e.path());
    testing::write_file(e.path(), data.substr(0, data.size() / 2));
  }
  auto warm = bulwark("-v sbom -f json --cache-dir " + cache + " " + img);
  ASSERT_EQ(warm.rc, 0) << warm.err;
  EXPECT_EQ(warm.err.find("analysis from cache"), std::string::npos);
  EXPECT_EQ(warm.out, cold.out);
}

TEST(AnalysisCache, ScanOptionsThatChangeResultsChangeTheKey) {
  image::Image img;
  img.config_digest = core::Digest{std::string(64, 'c')};
  img.layers.push_back(image::LayerRef{});
  std::vector<core::Digest> digests{core::Digest{std::string(64, 'a')}};
  std::vector<const image::Analyzer*> analyzers;
  image::ReadOptions opts;
  auto base = cli::analysis_cache_key({img, digests, analyzers, opts, "build-1"});
  EXPECT_EQ(base, cli::analysis_cache_key({img, digests, analyzers, opts, "build-1"}));
  EXPECT_NE(base, cli::analysis_cache_key({img, digests, analyzers, opts, "build-2"}));
  auto verify = opts;
  verify.verify_diff_ids = true;
  EXPECT_NE(base, cli::analysis_cache_key({img, digests, analyzers, verify, "build-1"}));
  auto other_options = opts;
  other_options.options_key = "rules=custom";
  EXPECT_NE(base, cli::analysis_cache_key({img, digests, analyzers, other_options, "build-1"}));
  std::vector<core::Digest> other_layer{core::Digest{std::string(64, 'b')}};
  EXPECT_NE(base, cli::analysis_cache_key({img, other_layer, analyzers, opts, "build-1"}));
  auto other_config = img;
  other_config.config_digest = core::Digest{std::string(64, 'd')};
  EXPECT_NE(base, cli::analysis_cache_key({other_config, digests, analyzers, opts, "build-1"}));
}

TEST(AnalysisCache, EncodingKeepsEveryReportedField) {
  report::Report r;
  r.target.layers.push_back({0, "sha256:" + std::string(64, 'a'), "sha256:" + std::string(64, 'b'),
                             true, "application/vnd.oci.image.layer.v1.tar+gzip", 1234,
                             "RUN apt-get install -y curl"});
  r.os = {"debian", "12", "bookworm", "Debian GNU/Linux 12 (bookworm)", "", "etc/os-release"};
  core::Package p;
  p.name = "curl";
  p.version = "7.88.1-10+deb12u5";
  p.ecosystem = "deb";
  p.purl = "pkg:deb/debian/curl@7.88.1-10%2Bdeb12u5?arch=amd64&distro=debian-12";
  p.architecture = "amd64";
  p.source_name = "curl";
  p.source_version = "7.88.1-10+deb12u5";
  p.licenses = {"curl"};
  p.locations = {{"var/lib/dpkg/status", 0, "sha256:" + std::string(64, 'a')}};
  p.files = {"usr/bin/curl"};
  p.metadata = core::DpkgMetadata{"Alessandro Ghedini", "install ok installed", 500};
  p.changelog_cves = {{"CVE-2023-38545", "7.88.1-10+deb12u4", "* Fix CVE-2023-38545"},
                      {"CVE-2023-38546", "7.88.1-10+deb12u4", "- CVE-2023-38546: cookie"}};
  r.packages.push_back(p);
  core::Package npm;
  npm.name = "lodash";
  npm.version = "4.17.21";
  npm.ecosystem = "npm";
  npm.purl = "pkg:npm/lodash@4.17.21";
  npm.locations = {{"app/package-lock.json", 0, "sha256:" + std::string(64, 'a')}};
  npm.metadata =
      core::LanguageMetadata{true, false, "https://registry.example.org/lodash.tgz", "sha512-abc"};
  r.packages.push_back(npm);
  core::Package go;
  go.name = "example.com/tool";
  go.version = "v1.0.0";
  go.ecosystem = "golang";
  go.purl = "pkg:golang/example.com/tool@v1.0.0";
  go.locations = {{"usr/local/bin/tool", 0, "sha256:" + std::string(64, 'a')}};
  go.metadata = core::GoMetadata{true,
                                 "go1.19.8",
                                 "example.com/tool",
                                 "h1:abc=",
                                 {{"-ldflags", "-s -X main.v=1"}, {"vcs.revision", "0123abcd"}}};
  r.packages.push_back(go);
  p.removed_in_layer = 1;
  r.removed_packages.push_back(p);
  r.removed_files.push_back({"tmp/secret", 0, 1});
  r.findings.push_back({"secret",
                        "aws-access-key",
                        "AWS access key",
                        report::Severity::kHigh,
                        "/app/.env:3",
                        0,
                        "AKIA****",
                        "rotate the key",
                        {"https://example.org"}});
  r.warnings.push_back("layer 1: usr/lib/x.jar: truncated");

  auto decoded = cli::decode_analysis(cli::encode_analysis(r));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message();
  EXPECT_EQ(report::write_json(*decoded), report::write_json(r));

  std::string data = cli::encode_analysis(r);
  for (size_t cut = 0; cut < data.size(); cut += 7)
    EXPECT_FALSE(cli::decode_analysis(std::string_view(data).substr(0, cut)).ok()) << cut;
}

}  // namespace
}  // namespace bulwark
