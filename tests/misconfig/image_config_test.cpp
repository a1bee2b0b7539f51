// Checks of an image itself: its config (user, Env, ports, healthcheck, history) and its merged
// filesystem (setuid/setgid, world-writable, package caches), each tied to the adding layer;
// end to end through `bulwark scan` on an image the test builds.
#include <gtest/gtest.h>

#include <map>
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
using report::Severity;

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

Entry link(std::string path, std::string target) {
  Entry e = file(std::move(path), 0777, 0);
  e.type = EntryType::kSymlink;
  e.link_target = std::move(target);
  return e;
}

TEST(ImageConfigRules, SetuidProgramsAnOsPackageInstalledAreLowOthersMediumOrHigh) {
  // A merged-/usr Debian root: dpkg lists "bin/su" but the file is at usr/bin/su.
  auto owned = [](uint32_t mode, int64_t uid = 0) {
    return [=](std::string p) {
      Entry e = file(std::move(p), mode);
      e.uid = uid;
      return e;
    };
  };
  LayerResult base = layer(
      0,
      {dir("usr", 0755), dir("usr/bin", 0755), link("bin", "usr/bin"), owned(04755)("usr/bin/su"),
       owned(04755)("usr/bin/passwd"), owned(02755)("usr/bin/wall"), owned(04755)("usr/bin/chfn"),
       owned(04777)("usr/bin/mount"), owned(06755, 1)("usr/bin/at"),
       file("var/lib/dpkg/info/util-linux.list", 0644), file("var/lib/dpkg/info/passwd.list", 0644),
       file("var/lib/dpkg/info/bsdutils:amd64.list", 0644),
       file("var/lib/dpkg/info/at.list", 0644)});
  base.facts.facts_by_path["var/lib/dpkg/info/util-linux.list"] = {"bin/su", "usr/bin/mount"};
  base.facts.facts_by_path["var/lib/dpkg/info/passwd.list"] = {"usr/bin/passwd", "usr/bin/chfn"};
  base.facts.facts_by_path["var/lib/dpkg/info/bsdutils:amd64.list"] = {"usr/bin/wall"};
  base.facts.facts_by_path["var/lib/dpkg/info/at.list"] = {"usr/bin/at"};
  // Layer 1 rewrites a package's setuid program and adds one no package owns.
  LayerResult top = layer(1, {owned(04755)("usr/bin/chfn"), owned(04755)("usr/local/bin/tool")});
  auto issues = check(json::object(), {base, top});
  std::map<std::string, std::pair<Severity, std::string>> got;
  for (const auto* h : with_id(issues, "BW-IMG-006"))
    got[h->file] = {to_finding(*h).severity, h->message};
  ASSERT_EQ(got.size(), 7u);
  EXPECT_EQ(got["/usr/bin/su"].first, Severity::kLow) << got["/usr/bin/su"].second;
  EXPECT_EQ(got["/usr/bin/su"].second,
            "setuid file, mode 4755, owner uid 0; installed by package util-linux with its usual "
            "mode");
  EXPECT_EQ(got["/usr/bin/passwd"].first, Severity::kLow);
  EXPECT_EQ(got["/usr/bin/wall"].first, Severity::kLow);
  EXPECT_NE(got["/usr/bin/wall"].second.find("package bsdutils"), std::string::npos);
  EXPECT_EQ(got["/usr/bin/chfn"].first, Severity::kMedium);
  EXPECT_NE(got["/usr/bin/chfn"].second.find("but layer 2 rewrote it"), std::string::npos);
  EXPECT_EQ(got["/usr/bin/mount"].first, Severity::kHigh);
  EXPECT_NE(got["/usr/bin/mount"].second.find("writable by every user"), std::string::npos);
  EXPECT_EQ(got["/usr/bin/at"].first, Severity::kMedium);
  EXPECT_EQ(got["/usr/local/bin/tool"].first, Severity::kMedium);
  EXPECT_NE(got["/usr/local/bin/tool"].second.find("no OS package owns it"), std::string::npos);

  // A later layer that replaced the package's file list (an upgrade) with the file: low again.
  LayerResult upgrade =
      layer(2, {owned(04755)("usr/bin/chfn"), file("var/lib/dpkg/info/passwd.list", 0644)});
  upgrade.facts.facts_by_path["var/lib/dpkg/info/passwd.list"] = {"usr/bin/passwd", "usr/bin/chfn"};
  // passwd, not rewritten since, stays low: its package's list is newer than the file.
  auto upgraded = check(json::object(), {base, top, upgrade});
  size_t seen = 0;
  for (const auto* h : with_id(upgraded, "BW-IMG-006")) {
    if (h->file != "/usr/bin/chfn" && h->file != "/usr/bin/passwd") continue;
    ++seen;
    EXPECT_EQ(to_finding(*h).severity, Severity::kLow) << h->file << ": " << h->message;
  }
  EXPECT_EQ(seen, 2u);
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
           testing::TarEntry::file("usr/bin/ls", "ls", 0755),
           testing::TarEntry::file("usr/bin/su", "su", 04755),
           testing::TarEntry::file("var/lib/dpkg/status",
                                   "Package: util-linux\nStatus: install ok installed\n"
                                   "Architecture: amd64\nVersion: 2.38.1-5+deb12u3\n\n"),
           testing::TarEntry::file("var/lib/dpkg/info/util-linux.list", "/.\n/usr\n/usr/bin/su\n")})
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
  EXPECT_TRUE(got.contains({"BW-IMG-006", "/usr/bin/su", 0}));
  // The hand-added setuid binary stays medium; the one dpkg installed is low.
  for (const auto& f : report["findings"]) {
    if (f["id"] != "BW-IMG-006") continue;
    EXPECT_EQ(f["severity"], f["target"] == "/usr/bin/su" ? "low" : "medium") << f.dump();
  }
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
    if (res["ruleId"] != "BW-IMG-006" ||
        res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "/usr/bin/su")
      continue;
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
        // Debian's own setuid/setgid programs, installed by their packages: low, not noise.
        EXPECT_EQ(f["severity"], "low") << f.dump();
        EXPECT_NE(f["evidence"].get<std::string>().find("installed by package"), std::string::npos)
            << f.dump();
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
