// End-to-end tests of the bulwark binary: exit codes, one-line errors, help, determinism.
#include <gtest/gtest.h>
#include <sched.h>

#include <nlohmann/json.hpp>
#include <set>

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

Run bulwark(const std::string& args, const std::string& env = "") {
  testing::TempDir tmp;
  std::string out;
  int rc = testing::run_command(
      env + " '" + testing::bulwark_binary() + "' " + args + " 2>'" + tmp.str() + "/err'", &out);
  return {rc, out, testing::read_file(tmp.path() / "err")};
}

std::string small_image(const testing::TempDir& tmp) {
  ImageBuilder b;
  b.layer({TarEntry::file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n"),
           TarEntry::file("var/lib/dpkg/status",
                          "Package: zlib1g\nStatus: install ok installed\nVersion: "
                          "1:1.2.13.dfsg-1\nArchitecture: amd64\n"
                          "Source: zlib\n\n")});
  auto path = tmp.str() + "/img.tar";
  b.write_docker_archive(path);
  return path;
}

TEST(Cli, HelpReadsLikeAManPage) {
  auto r = bulwark("--help");
  EXPECT_EQ(r.rc, 0);
  EXPECT_NE(r.out.find("EXIT STATUS"), std::string::npos);
  EXPECT_NE(r.out.find("sbom"), std::string::npos);
  auto sub = bulwark("sbom --help");
  EXPECT_EQ(sub.rc, 0);
  EXPECT_NE(sub.out.find("--format"), std::string::npos);
  EXPECT_NE(sub.out.find("cyclonedx"), std::string::npos);
}

TEST(Cli, VersionNamesTheGitRevision) {
  auto r = bulwark("version");
  EXPECT_EQ(r.rc, 0);
  EXPECT_NE(r.out.find("git revision: "), std::string::npos);
}

TEST(Cli, BashCompletionListsCommandsAndOptions) {
  auto r = bulwark("completion bash");
  EXPECT_EQ(r.rc, 0);
  EXPECT_NE(r.out.find("complete -F _bulwark bulwark"), std::string::npos);
  EXPECT_NE(r.out.find("--verify-diffids"), std::string::npos);
  EXPECT_EQ(testing::run_command("bash -n <<'EOF'\n" + r.out + "\nEOF"), 0);
}

TEST(Cli, SbomIsDeterministicAndHonoursSourceDateEpoch) {
  testing::TempDir tmp;
  auto img = small_image(tmp);
  auto a = bulwark("sbom --no-cache --format cyclonedx " + img, "SOURCE_DATE_EPOCH=1704067200");
  auto b = bulwark("sbom --format cyclonedx --cache-dir " + tmp.str() + "/c " + img,
                   "SOURCE_DATE_EPOCH=1704067200");
  ASSERT_EQ(a.rc, 0) << a.err;
  ASSERT_EQ(b.rc, 0) << b.err;
  EXPECT_EQ(a.out, b.out);
  auto j = nlohmann::json::parse(a.out);
  EXPECT_EQ(j["metadata"]["timestamp"], "2024-01-01T00:00:00Z");
  EXPECT_NE(a.out.find("pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1"), std::string::npos);
}

TEST(Cli, OutputFileAndTableFormat) {
  testing::TempDir tmp;
  auto img = small_image(tmp);
  auto r = bulwark("scan --no-cache --scanners secret,malware,misconfig -o " + tmp.str() +
                   "/out.txt " + img);
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  auto table = testing::read_file(tmp.path() / "out.txt");
  EXPECT_NE(table.find("zlib1g"), std::string::npos);
}

TEST(Cli, BadInputIsOneLineOnStderrAndExitTwo) {
  testing::TempDir tmp;
  testing::write_file(tmp.path() / "junk.tar", std::string(1000, 'x'));
  testing::write_plain_tar(tmp.str() + "/trunc.tar",
                           {{"manifest.json", "[{\"Config\":\"c.json\",\"Layers\":[\"l.tar\"]}]"}});
  for (const auto& target : {tmp.str() + "/missing.tar", tmp.str() + "/junk.tar",
                             tmp.str() + "/trunc.tar", "oci:" + tmp.str()}) {
    auto r = bulwark("sbom --no-cache " + target);
    EXPECT_EQ(r.rc, 2) << target;
    EXPECT_TRUE(r.out.empty()) << target;
    ASSERT_FALSE(r.err.empty()) << target;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("error"), std::string::npos) << r.err;
  }
  auto usage = bulwark("sbom --format nonsense x");
  EXPECT_EQ(usage.rc, 2);
}

TEST(Cli, NonUtf8PackageDataStillGivesValidJson) {
  testing::TempDir tmp;
  ImageBuilder b;
  b.layer({TarEntry::file(
      "var/lib/dpkg/status",
      "Package: caf\xe9\nStatus: install ok installed\nVersion: 1.0\nArchitecture: amd64\n\n")});
  b.write_oci_layout(tmp.str() + "/l");
  for (const auto* format : {"json", "cyclonedx", "spdx"}) {
    auto r = bulwark(std::string("sbom --no-cache -f ") + format + " " + tmp.str() + "/l");
    ASSERT_EQ(r.rc, 0) << format << ": " << r.err;
    EXPECT_TRUE(nlohmann::json::accept(r.out)) << format;
  }
}

TEST(Cli, LimitsAreSetFromTheCommandLine) {
  testing::TempDir tmp;
  auto img = small_image(tmp);
  // A 100-byte read limit makes the dpkg status file unreadable: a warning, not a failure.
  auto limited = bulwark("sbom --no-cache --limit max_file_read=100 -f json " + img);
  ASSERT_EQ(limited.rc, 0) << limited.err;
  EXPECT_EQ(limited.out.find("zlib1g"), std::string::npos);
  EXPECT_NE(limited.err.find("var/lib/dpkg/status"), std::string::npos) << limited.err;
  // Results cached under other limits are not reused.
  std::string cache = tmp.str() + "/cache";
  ASSERT_EQ(bulwark("sbom --cache-dir " + cache + " -f json " + img).rc, 0);
  auto cached = bulwark("sbom --cache-dir " + cache + " --limit max_file_read=100 -f json " + img);
  EXPECT_EQ(cached.out.find("zlib1g"), std::string::npos);
  auto bad = bulwark("sbom --no-cache --limit max_file_read=lots " + img);
  EXPECT_EQ(bad.rc, 2);
  EXPECT_NE(bad.err.find("not a number"), std::string::npos) << bad.err;
  EXPECT_NE(bulwark("--help").out.find("max_total_uncompressed="), std::string::npos);
}

TEST(Cli, CatalogersOptionSelectsByTagAndRejectsUnknownNames) {
  testing::TempDir tmp;
  ImageBuilder b;
  b.layer(
      {TarEntry::file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n"),
       TarEntry::file("var/lib/dpkg/status",
                      "Package: zlib1g\nStatus: install ok installed\nVersion: 1.0\n\n"),
       TarEntry::file(
           "app/package-lock.json",
           R"({"lockfileVersion": 3, "packages": {"node_modules/ms": {"version": "2.1.3"}}})")});
  b.write_oci_layout(tmp.str() + "/l");
  auto ecosystems = [&](const std::string& args) {
    auto r = bulwark("sbom --no-cache -f json " + args + " " + tmp.str() + "/l");
    EXPECT_EQ(r.rc, 0) << r.err;
    std::set<std::string> out;
    auto doc = nlohmann::json::parse(r.out);
    for (const auto& p : doc["packages"]) out.insert(p["ecosystem"]);
    return out;
  };
  EXPECT_EQ(ecosystems(""), (std::set<std::string>{"deb", "npm"}));
  EXPECT_EQ(ecosystems("--catalogers os"), (std::set<std::string>{"deb"}));
  EXPECT_EQ(ecosystems("--catalogers javascript"), (std::set<std::string>{"npm"}));
  auto bad = bulwark("sbom --no-cache --catalogers os,nope " + tmp.str() + "/l");
  EXPECT_EQ(bad.rc, 2);
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;
  EXPECT_NE(bad.err.find("unknown cataloger or tag: nope"), std::string::npos) << bad.err;
}

TEST(Cli, LayerReadersFollowTheCpusTheProcessMayUse) {
  // Pinned to one CPU (as taskset, a cpuset or a 1-CPU container would), layers are read on
  // one thread without the per-layer pipeline threads, whatever the host's core count.
  testing::TempDir tmp;
  ImageBuilder b;
  b.layer({TarEntry::file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n")});
  b.layer({TarEntry::file("app/a.txt", "a\n")});
  b.write_docker_archive(tmp.str() + "/two.tar");
  std::string args = " --no-cache " + tmp.str() + "/two.tar -o /dev/null";
  auto one = bulwark("--verbose sbom" + args, "taskset -c " + std::to_string(sched_getcpu()));
  ASSERT_EQ(one.rc, 0) << one.err;
  EXPECT_NE(one.err.find("reading 2 layers on 1 thread\n"), std::string::npos) << one.err;
  auto two = bulwark("--verbose sbom --threads 2" + args);
  ASSERT_EQ(two.rc, 0) << two.err;
  EXPECT_NE(two.err.find("reading 2 layers on 2 threads, each layer pipelined"), std::string::npos)
      << two.err;
}

TEST(Cli, JsonLogFormatForMachines) {
  auto r = bulwark("--log-format json sbom --no-cache /nonexistent/image.tar");
  EXPECT_EQ(r.rc, 2);
  auto j = nlohmann::json::parse(r.err);
  EXPECT_EQ(j["level"], "error");
  EXPECT_NE(j["msg"].get<std::string>().find("/nonexistent/image.tar"), std::string::npos);
}

}  // namespace
}  // namespace bulwark
