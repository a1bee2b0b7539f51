// Checks of an image itself: its config (user, Env, ports, healthcheck, history) and its merged
// filesystem (setuid/setgid, world-writable, package caches), each tied to the adding layer;
// end to end through `bulwark scan` on an image the test builds.
#include <gtest/gtest.h>

#include <set>

#include "misconfig/image_config/rules.hpp"
#include "support/image_builder.hpp"
#include "support/test_env.hpp"

namespace bulwark::misconfig::image_config {
namespace {

using image::Entry;
using image::EntryType;
using image::LayerResult;
using nlohmann::json;

Entry file(std::string path, uint32_t mode, uint64_t size = 10) {
  Entry e;
  e.path = std::move(path);
  e.type = EntryType::kFile;
  e.mode = mode;
  e.size = size;
  return e;
}

Entry dir(std::string path, uint32_t mode) {
  Entry e = file(std::move(path), mode, 0);
  e.type = EntryType::kDir;
  return e;
}

LayerResult layer(int index, std::vector<Entry> entries, std::vector<std::string> whiteouts = {}) {
  LayerResult l;
  l.layer = index;
  l.files.entries = std::move(entries);
  l.files.whiteouts = std::move(whiteouts);
  return l;
}

std::vector<const Issue*> with_id(const std::vector<Issue>& issues, std::string_view id) {
  std::vector<const Issue*> out;
  for (const auto& i : issues) {
    if (i.rule->id == id) out.push_back(&i);
  }
  return out;
}

const json kHardened = json::parse(R"({
  "architecture": "amd64", "os": "linux",
  "config": {"User": "10001", "Env": ["PATH=/usr/bin", "APP_PASSWORD_FILE=/run/secrets/pw"],
             "ExposedPorts": {"8080/tcp": {}},
             "Healthcheck": {"Test": ["CMD", "/app", "health"]}},
  "history": [{"created_by": "/bin/sh -c #(nop) ADD file:abc in /"},
              {"created_by": "/bin/sh -c #(nop)  ENV X=1", "empty_layer": true},
              {"created_by": "RUN /bin/sh -c apt-get update && apt-get install -y curl"}]
})");

json with(const std::string& pointer, json value) {
  json c = kHardened;
  c[json::json_pointer(pointer)] = std::move(value);
  return c;
}

std::vector<Issue> run_config(const json& config) {
  return check(config, {layer(0, {}), layer(1, {})});
}

TEST(ImageConfigRules, HardenedConfigIsClean) {
  for (const auto& i : run_config(kHardened)) ADD_FAILURE() << i.rule->id << ": " << i.message;
}

TEST(ImageConfigRules, RootUserFiresForEmptyAndExplicitRoot) {
  EXPECT_EQ(with_id(run_config(with("/config/User", "")), "BW-IMG-001").size(), 1u);
  EXPECT_EQ(with_id(run_config(with("/config/User", "0:0")), "BW-IMG-001").size(), 1u);
  EXPECT_EQ(with_id(run_config(with("/config/User", "root")), "BW-IMG-001").size(), 1u);
  EXPECT_TRUE(with_id(run_config(with("/config/User", "rootless")), "BW-IMG-001").empty());
  // A root filesystem directory has no config: nothing to say about its user.
  EXPECT_TRUE(with_id(run_config(json::object()), "BW-IMG-001").empty());
}

TEST(ImageConfigRules, SecretsInEnvFireRedacted) {
  auto issues =
      run_config(with("/config/Env", {"PATH=/usr/bin", "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7ABCDEFG",
                                      "DB_PASSWORD=Zq8vLmT2pXw9"}));
  auto hits = with_id(issues, "BW-IMG-002");
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0]->path, "config.Env[1]");
  EXPECT_EQ(hits[0]->message.find("IOSFODNN7ABCDEFG"), std::string::npos);
  EXPECT_NE(hits[0]->message.find("AKIA****"), std::string::npos);
}

TEST(ImageConfigRules, PrivilegedPortsFire) {
  auto issues = run_config(
      with("/config/ExposedPorts", {{"22/tcp", json::object()}, {"8443/tcp", json::object()}}));
  auto hits = with_id(issues, "BW-IMG-003");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0]->message.find("(SSH)"), std::string::npos);
}

TEST(ImageConfigRules, MissingOrDisabledHealthcheckFires) {
  json none = kHardened;
  none["config"].erase("Healthcheck");
  EXPECT_EQ(with_id(run_config(none), "BW-IMG-004").size(), 1u);
  EXPECT_EQ(
      with_id(run_config(with("/config/Healthcheck", {{"Test", {"NONE"}}})), "BW-IMG-004").size(),
      1u);
}

TEST(ImageConfigRules, HistoryPipingDownloadsIntoAShellFiresWithItsLayer) {
  json c = kHardened;
  c["history"].push_back({{"created_by", "/bin/sh -c #(nop) WORKDIR /x"}, {"empty_layer", true}});
  c["history"].push_back(
      {{"created_by", "RUN /bin/sh -c curl -fsSL https://get.example.com | bash -s -- --yes"}});
  c["history"].push_back(
      {{"created_by", "RUN /bin/sh -c sh -c \"$(wget -qO- https://x.example)\""}});
  c["history"].push_back(
      {{"created_by", "RUN /bin/sh -c curl -o /tmp/x https://x && sha256sum -c s"}});
  auto issues = check(c, {});
  auto hits = with_id(issues, "BW-IMG-005");
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0]->layer, 2);  // history entries 0, 2, 4 carry layers; empty ones do not
  EXPECT_EQ(hits[1]->layer, 3);
  EXPECT_EQ(hits[0]->path, "history[4].created_by");
}

TEST(ImageConfigRules, SetuidFilesFireForTheLayerThatAddedTheVisibleVersion) {
  std::vector<LayerResult> layers = {
      layer(0, {dir("usr", 0755), dir("usr/bin", 0755), file("usr/bin/su", 04755),
                file("usr/bin/oldsu", 04755), file("usr/bin/ls", 0755)}),
      layer(1, {file("usr/bin/oldsu", 0755), file("usr/bin/wall", 02755),
                file("usr/local/bin/tool", 06755)}),
  };
  auto issues = check(json::object(), layers);
  auto hits = with_id(issues, "BW-IMG-006");
  std::set<std::pair<std::string, int>> got;
  for (const auto* h : hits) got.emplace(h->file, h->layer.value_or(-1));
  EXPECT_EQ(got, (std::set<std::pair<std::string, int>>{
                     {"/usr/bin/su", 0}, {"/usr/bin/wall", 1}, {"/usr/local/bin/tool", 1}}));
}

TEST(ImageConfigRules, WorldWritableFilesAndNonStickyDirsFire) {
  std::vector<LayerResult> layers = {
      layer(0, {dir("tmp", 01777), dir("srv", 0777), file("etc/app.conf", 0666),
                file("etc/ok.conf", 0644)}),
  };
  auto issues = check(json::object(), layers);
  auto hits = with_id(issues, "BW-IMG-007");
  std::set<std::string> got;
  for (const auto* h : hits) got.insert(h->file);
  EXPECT_EQ(got, (std::set<std::string>{"/srv", "/etc/app.conf"}));
}

TEST(ImageConfigRules, PackageCachesLeftBehindFireUnlessALaterLayerRemovedThem) {
  std::vector<LayerResult> layers = {
      layer(0, {file("var/lib/apt/lists/mirror.example.org_debian_dists_bookworm_InRelease", 0644,
                     1000),
                file("var/lib/apt/lists/"
                     "mirror.example.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4",
                     0644, 5000),
                file("var/lib/apt/lists/lock", 0640, 0),
                file("var/cache/apt/archives/curl_7.88.1-10_amd64.deb", 0644, 300)}),
      layer(1, {file("root/.cache/pip/http/a/b/c", 0600, 42)},
            {"var/cache/apt/archives/curl_7.88.1-10_amd64.deb"}),
  };
  auto issues = check(json::object(), layers);
  auto hits = with_id(issues, "BW-IMG-008");
  std::set<std::tuple<std::string, int, std::string>> got;
  for (const auto* h : hits) got.emplace(h->file, h->layer.value_or(-1), h->message);
  EXPECT_EQ(got,
            (std::set<std::tuple<std::string, int, std::string>>{
                {"/var/lib/apt/lists", 0, "apt package lists left behind: 2 files, 6000 bytes"},
                {"/root/.cache/pip", 1, "pip cache left behind: 1 files, 42 bytes"}}));
  // A clean layer set has no cache findings.
  EXPECT_TRUE(with_id(check(json::object(), {layer(0, {file("var/lib/apt/lists/lock", 0640)})}),
                      "BW-IMG-008")
                  .empty());
}

TEST(ImageConfigRules, EveryRuleIsExercisedAbove) {
  std::set<std::string_view> ids;
  for (const auto& r : rules()) ids.insert(r.id);
  EXPECT_EQ(ids,
            (std::set<std::string_view>{"BW-IMG-001", "BW-IMG-002", "BW-IMG-003", "BW-IMG-004",
                                        "BW-IMG-005", "BW-IMG-006", "BW-IMG-007", "BW-IMG-008"}));
}

TEST(ImageScan, ScanReportsImageMisconfigurationsWithLayers) {
  testing::TempDir tmp;
  testing::ImageBuilder b;
  b.layer({testing::TarEntry::dir("usr/"), testing::TarEntry::dir("usr/bin/"),
           testing::TarEntry::file("usr/bin/ls", "ls", 0755)})
      .layer({testing::TarEntry::file("usr/bin/sx", "sx", 04755),
              testing::TarEntry::file("var/lib/apt/lists/x_dists_y_InRelease", "r", 0644)})
      .config_field("User", "root")
      .config_field("Env",
                    {"PATH=/usr/bin", "GITHUB_TOKEN=ghp_aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5"});
  std::string archive = tmp.str() + "/img.tar";
  b.write_docker_archive(archive);
  std::string out;
  int rc = testing::run_command(
      testing::bulwark_binary() +
          " scan -q --no-cache --scanners secret,malware,misconfig --format json '" + archive + "'",
      &out);
  ASSERT_EQ(rc, 0) << out;
  auto report = json::parse(out);
  std::set<std::tuple<std::string, std::string, int>> got;
  for (const auto& f : report["findings"]) {
    if (f["kind"] != "misconfig") continue;
    got.emplace(f["id"], f["target"], f["layer"].is_number() ? f["layer"].get<int>() : -1);
  }
  EXPECT_TRUE(got.contains({"BW-IMG-006", "/usr/bin/sx", 1}));
  EXPECT_TRUE(got.contains({"BW-IMG-008", "/var/lib/apt/lists", 1}));
  EXPECT_TRUE(got.contains({"BW-IMG-001", "config.User", -1}));
  EXPECT_TRUE(got.contains({"BW-IMG-002", "config.Env[1]", -1}));
  EXPECT_EQ(out.find("aB3dE5gH7jK9"), std::string::npos) << "secret leaked unredacted";

  // The same findings as SARIF: the path inside the image is the artifact URI and the layer
  // digest travels in the properties.
  std::string sarif;
  ASSERT_EQ(testing::run_command(
                testing::bulwark_binary() +
                    " scan -q --scanners secret,malware,misconfig --format sarif '" + archive + "'",
                &sarif),
            0);
  auto doc = json::parse(sarif);
  std::string layer1 = report["target"]["layers"][1]["digest"];
  bool found = false;
  for (const auto& res : doc["runs"][0]["results"]) {
    if (res["ruleId"] != "BW-IMG-006") continue;
    found = true;
    EXPECT_EQ(res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "/usr/bin/sx");
    EXPECT_EQ(res["properties"]["kind"], "misconfig");
    EXPECT_EQ(res["properties"]["layer"], layer1);
    EXPECT_EQ(res["level"], "warning");
  }
  EXPECT_TRUE(found);
  EXPECT_TRUE(layer1.starts_with("sha256:"));
}

}  // namespace
}  // namespace bulwark::misconfig::image_config

namespace bulwark::misconfig::image_config {
namespace {

// The corpus of ../shared/corpus/build.sh: debian-app has User 1000:1000, a Healthcheck, a
// DB_PASSWORD in Env and port 22 exposed; debian-min runs as root without a healthcheck.
TEST(ImageScanCorpus, DebianImagesGiveTheirConfigFindings) {
  std::string why;
  auto corpus = testing::corpus_dir(&why);
  if (!corpus) BW_SKIP_OR_FAIL(why);
  auto scan = [&](const std::string& image) {
    std::string out;
    int rc = testing::run_command(
        testing::bulwark_binary() + " scan -q --scanners secret,malware,misconfig --format json '" +
            (*corpus / image).string() + "'",
        &out);
    EXPECT_EQ(rc, 0) << out.substr(0, 500);
    std::multiset<std::string> ids;
    std::set<std::string> setuid;
    json report = json::parse(out);
    for (const auto& f : report["findings"]) {
      if (f["kind"] != "misconfig") continue;
      ids.insert(f["id"].get<std::string>() + " " + f["target"].get<std::string>());
      if (f["id"] == "BW-IMG-006") {
        EXPECT_EQ(f["layer"], 0);
        setuid.insert(f["target"]);
      }
    }
    EXPECT_TRUE(setuid.contains("/usr/bin/su"));
    EXPECT_TRUE(setuid.contains("/usr/bin/passwd"));
    std::erase_if(ids, [](const std::string& s) { return s.starts_with("BW-IMG-006 "); });
    return ids;
  };
  EXPECT_EQ(scan("debian-app.oci"),
            (std::multiset<std::string>{"BW-IMG-002 config.Env[3]",
                                        "BW-IMG-003 config.ExposedPorts[\"22/tcp\"]"}));
  EXPECT_EQ(scan("debian-min.oci"), (std::multiset<std::string>{"BW-IMG-001 config.User",
                                                                "BW-IMG-004 config.Healthcheck"}));
}

}  // namespace
}  // namespace bulwark::misconfig::image_config
