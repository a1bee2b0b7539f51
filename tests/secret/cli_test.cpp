// `bulwark scan` and `bulwark secrets` end to end: findings with their layers (deleted and
// replaced files), the config's Env and history, exit codes and one-line errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "secret/analyzer.hpp"
#include "support/image_builder.hpp"
#include "support/test_env.hpp"

namespace bulwark::secret {
namespace {

using bulwark::testing::ImageBuilder;
using bulwark::testing::TarEntry;

struct Run {
  int rc;
  std::string out;
  std::string err;
};

Run bulwark_run(const std::string& args) {
  bulwark::testing::TempDir tmp;
  std::string out;
  int rc = bulwark::testing::run_command(
      "'" + bulwark::testing::bulwark_binary() + "' " + args + " 2>'" + tmp.str() + "/err'", &out);
  return {rc, out, bulwark::testing::read_file(tmp.path() / "err")};
}

const std::string kGithub = "ghp_Zq3Xv9LmN2pR7tY4wK8sB1cD6fH0jG5aQeRt";
const std::string kAws = "AKIAQYLPMN5HHHFPZAM2";

std::string eicar() {
  return std::string("X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-") + "ANTIVIRUS-TEST-FILE!$H+H*";
}

std::string build_image(const bulwark::testing::TempDir& tmp) {
  ImageBuilder b;
  // A secret at the end of a 3 MiB file: it arrives in the last of several chunks.
  std::string big(3 << 20, 'a');
  for (size_t i = 79; i < big.size(); i += 80) big[i] = '\n';
  big += "\naws_key=" + kAws + "\n";
  b.layer({TarEntry::file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n"),
           TarEntry::file("app/config.json", "{\"token\": \"" + kGithub + "\"}\n"),
           TarEntry::file("app/big.log", big), TarEntry::file("tmp/eicar.com", eicar())});
  b.layer({TarEntry::file("app/config.json", "{\"token\": null}\n")});  // replaces it
  b.layer({TarEntry::whiteout("tmp/eicar.com")});                       // deletes it
  b.config_field("Env", nlohmann::json::array({"PATH=/usr/bin", "API_TOKEN=Jq8vX2mL9pR4tN7w"}));
  auto path = tmp.str() + "/img.tar";
  b.write_docker_archive(path);
  return path;
}

nlohmann::json find(const nlohmann::json& findings, const std::string& id) {
  for (const auto& f : findings)
    if (f["id"] == id) return f;
  return nullptr;
}

TEST(ScanCommand, ReportsSecretsAndMalwareWithAddedAndRemovedLayers) {
  bulwark::testing::TempDir tmp;
  auto img = build_image(tmp);
  // The image checks (misconfig) are tested in tests/misconfig; this test is about files.
  auto r = bulwark_run("scan --no-cache -q -f json --scanners secret,malware " + img);
  ASSERT_EQ(r.rc, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  const auto& f = j["findings"];
  ASSERT_EQ(f.size(), 4U) << f.dump(2);
  auto gh = find(f, "github-pat");
  EXPECT_EQ(gh["target"], "/app/config.json:1");
  EXPECT_EQ(gh["layer"], 0);
  EXPECT_EQ(gh["removed_in_layer"], 1) << "replaced by layer 1, still in layer 0's blob";
  EXPECT_EQ(gh["evidence"].get<std::string>().substr(0, 4), "ghp_");
  auto aws = find(f, "aws-access-key-id");
  EXPECT_EQ(aws["target"], "/app/big.log:39323");
  EXPECT_TRUE(aws["removed_in_layer"].is_null());
  auto eic = find(f, "EICAR_Test_File");
  EXPECT_EQ(eic["kind"], "malware");
  EXPECT_EQ(eic["removed_in_layer"], 2);
  auto env = find(f, "dotenv-secret");
  EXPECT_EQ(env["target"], "config.Env[1]");
  EXPECT_TRUE(env["layer"].is_null());
}

TEST(ScanCommand, ScannersOptionSelectsWhatRuns) {
  bulwark::testing::TempDir tmp;
  auto img = build_image(tmp);
  auto r = bulwark_run("scan --no-cache -q -f json --scanners malware " + img);
  ASSERT_EQ(r.rc, 0) << r.err;
  auto f = nlohmann::json::parse(r.out)["findings"];
  ASSERT_EQ(f.size(), 1U);
  EXPECT_EQ(f[0]["kind"], "malware");
  auto sbom = bulwark_run("sbom --no-cache -q -f json " + img);
  EXPECT_TRUE(nlohmann::json::parse(sbom.out)["findings"].empty());
}

TEST(ScanCommand, TableShowsTheLayers) {
  bulwark::testing::TempDir tmp;
  auto img = build_image(tmp);
  auto r = bulwark_run("scan --no-cache -q --scanners secret,malware,misconfig " + img);
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("LAYER"), std::string::npos);
  EXPECT_NE(r.out.find("0 (removed in 1)"), std::string::npos) << r.out;
}

TEST(ScanCommand, CachedLayersKeepTheirFindings) {
  bulwark::testing::TempDir tmp;
  auto img = build_image(tmp);
  std::string cache = tmp.str() + "/cache";
  auto cold = bulwark_run("scan -q -f json --scanners secret,malware,misconfig --cache-dir " +
                          cache + " " + img);
  auto warm = bulwark_run("scan -q -f json --scanners secret,malware,misconfig --cache-dir " +
                          cache + " " + img);
  ASSERT_EQ(warm.rc, 0) << warm.err;
  EXPECT_EQ(nlohmann::json::parse(cold.out)["findings"],
            nlohmann::json::parse(warm.out)["findings"]);
}

TEST(SecretsCommand, ScansADirectoryTreeAndExitsOneOnFindings) {
  bulwark::testing::TempDir tmp;
  bulwark::testing::write_file(tmp.path() / "src/app.py", "TOKEN = None\n");
  bulwark::testing::write_file(tmp.path() / "deploy/.env", "X=1\nGITHUB=" + kGithub + "\n");
  bulwark::testing::write_file(tmp.path() / "bin/tool", std::string("\x7f"
                                                                    "ELF\0\0",
                                                                    6) +
                                                            kGithub);
  auto r = bulwark_run("secrets -f json " + tmp.str());
  EXPECT_EQ(r.rc, 1) << r.err;
  auto f = nlohmann::json::parse(r.out)["findings"];
  ASSERT_EQ(f.size(), 1U) << f.dump(2);
  EXPECT_EQ(f[0]["target"], (tmp.path() / "deploy/.env").string() + ":2");
  EXPECT_EQ(f[0]["id"], "github-pat");

  bulwark::testing::TempDir clean;
  bulwark::testing::write_file(clean.path() / "README", "nothing to see\n");
  EXPECT_EQ(bulwark_run("secrets " + clean.str()).rc, 0);
}

TEST(SecretsCommand, ErrorsAreOneLineWithExitTwo) {
  auto missing = bulwark_run("secrets /nonexistent/dir");
  EXPECT_EQ(missing.rc, 2);
  EXPECT_NE(missing.err.find("/nonexistent/dir"), std::string::npos) << missing.err;
  bulwark::testing::TempDir tmp;
  bulwark::testing::write_file(tmp.path() / "rules.toml",
                               "[[rules]]\nid = \"broken\"\nregex = '''a(b'''\n");
  auto bad = bulwark_run("secrets --secret-config " + tmp.str() + "/rules.toml " + tmp.str());
  EXPECT_EQ(bad.rc, 2);
  EXPECT_NE(bad.err.find("rule 'broken'"), std::string::npos) << bad.err;
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;
}

TEST(ImageConfig, EnvAndHistoryAreScanned) {
  auto engine = std::move(Engine::compile(builtin_rules())).value();
  image::Image img;
  img.config = nlohmann::json::parse(R"({
    "config": {"Env": ["PATH=/usr/bin", "DB_PASSWORD=Xy7qLm2vR9tK4pWz"]},
    "history": [{"created_by": "/bin/sh -c #(nop) ADD file:abc in /"},
                {"created_by": "RUN curl -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U' https://example.com"}]
  })");
  auto f = scan_image_config(*engine, img);
  ASSERT_EQ(f.size(), 3U);
  EXPECT_EQ(f[0].target, "config.Env[1]");
  EXPECT_EQ(f[0].id, "dotenv-secret");
  EXPECT_EQ(f[1].target, "history[1].created_by");
  EXPECT_EQ(f[2].target, "history[1].created_by");
}

}  // namespace
}  // namespace bulwark::secret
