// `bulwark config`: files recognised by content in a directory tree, the output formats
// (SARIF validated against the schema), --pss admission answers and exit codes, bad input.
#include "misconfig/config_scan.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "misconfig/config_output.hpp"
#include "misconfig/yaml_loader.hpp"
#include "support/test_env.hpp"

namespace bulwark::misconfig {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr std::string_view kDockerfile = "FROM debian:12\nRUN apt-get install -y curl\n";
constexpr std::string_view kPod = R"(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    image: nginx:1.25
    securityContext: {privileged: true}
)";
constexpr std::string_view kRestrictedPod = R"(apiVersion: v1
kind: Pod
metadata: {name: r}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: c
    image: nginx:1.25
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
)";
constexpr std::string_view kCompose =
    "services:\n  web:\n    image: nginx:1.25\n    privileged: true\n";

TEST(ConfigDetect, RecognisesEachTypeByContent) {
  EXPECT_EQ(detect(kDockerfile), ConfigType::kDockerfile);
  EXPECT_EQ(detect(kPod), ConfigType::kKubernetes);
  EXPECT_EQ(detect(kCompose), ConfigType::kCompose);
  EXPECT_EQ(detect("# README\n\nSome text with apiVersion and kind words.\n"), std::nullopt);
  EXPECT_EQ(detect(std::string("\x7f"
                               "ELF\0\0\0",
                               7)),
            std::nullopt);
  EXPECT_EQ(detect("{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"spec\": {}}"),
            ConfigType::kKubernetes);
}

TEST(ConfigScan, WalksATreeAndChecksFilesWhateverTheirNames) {
  testing::TempDir tmp;
  testing::write_file(tmp.path() / "build" / "app.containerfile", kDockerfile);
  testing::write_file(tmp.path() / "deploy" / "pod.txt", kPod);
  testing::write_file(tmp.path() / "stack.yml", kCompose);
  testing::write_file(tmp.path() / "README.md", "# hello\n");
  testing::write_file(tmp.path() / "broken.yaml", "apiVersion: v1\nkind: [\n");
  testing::write_file(tmp.path() / ".git" / "config.yaml", kPod);  // not looked at
  auto r = check_path(tmp.str());
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->files.size(), 3u);
  EXPECT_EQ(r->files[0].path, (tmp.path() / "build" / "app.containerfile").string());
  EXPECT_EQ(r->files[0].type, ConfigType::kDockerfile);
  EXPECT_EQ(r->files[1].type, ConfigType::kKubernetes);
  EXPECT_EQ(r->files[2].type, ConfigType::kCompose);
  std::set<std::string_view> ids;
  for (const auto& i : r->issues) ids.insert(i.rule->id);
  EXPECT_TRUE(ids.contains("BW-DF-009"));
  EXPECT_TRUE(ids.contains("BW-K8S-003"));
  EXPECT_TRUE(ids.contains("BW-DC-001"));
  ASSERT_EQ(r->warnings.size(), 1u);  // broken.yaml looks like a manifest but does not load
  EXPECT_NE(r->warnings[0].find("broken.yaml:"), std::string::npos);
}

TEST(ConfigScan, SingleFileThatIsNoConfigIsAnError) {
  testing::TempDir tmp;
  testing::write_file(tmp.path() / "notes.txt", "hello\n");
  auto r = check_path((tmp.path() / "notes.txt").string());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("not a Dockerfile, Kubernetes manifest or compose file"),
            std::string::npos);
  auto missing = check_path((tmp.path() / "nope").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), core::ErrorCode::kNotFound);
}

TEST(ConfigScan, InvalidNamedManifestReportsTheParserReason) {
  testing::TempDir tmp;
  testing::write_file(tmp.path() / "bad.yaml", "a: [1, 2\nb: }\n");
  auto r = check_path((tmp.path() / "bad.yaml").string());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("invalid YAML"), std::string::npos);
  EXPECT_EQ(r.error().message().find('\n'), std::string::npos);
}

TEST(ConfigOutput, JsonCarriesFileLineDocumentPathAndPssControl) {
  auto issues = check_content(
      std::string("---\n") + std::string(kRestrictedPod) + "---\n" + std::string(kPod), "pods.yaml",
      ConfigType::kKubernetes);
  ASSERT_TRUE(issues.ok());
  ConfigResult r{{{"pods.yaml", ConfigType::kKubernetes}}, *issues, {}};
  auto doc = json::parse(write_config_json(r, PssVerdict{PssLevel::kBaseline, false}));
  const json* priv = nullptr;
  for (const auto& f : doc["findings"]) {
    if (f["id"] == "BW-K8S-003") priv = &f;
  }
  ASSERT_NE(priv, nullptr);
  EXPECT_EQ((*priv)["file"], "pods.yaml");
  EXPECT_EQ((*priv)["document"], 1);
  EXPECT_EQ((*priv)["line"], 21);
  EXPECT_EQ((*priv)["path"], "spec.containers[0].securityContext.privileged");
  EXPECT_EQ((*priv)["pss"]["control"], "Privileged Containers");
  EXPECT_EQ((*priv)["pss"]["level"], "baseline");
  EXPECT_EQ(doc["pss"]["admitted"], false);
}

// ---- the command ----
// Runs the binary; `out` (when given) is replaced by its stdout.
int bulwark(const std::string& args, std::string* out = nullptr) {
  if (out != nullptr) out->clear();
  return testing::run_command(testing::bulwark_binary() + " " + args, out);
}

TEST(ConfigCommand, PssAnswersAdmissionWithTheExitCode) {
  testing::TempDir tmp;
  auto priv = (tmp.path() / "priv.yaml").string();
  auto restricted = (tmp.path() / "restricted.yaml").string();
  testing::write_file(priv, kPod);
  testing::write_file(restricted, kRestrictedPod);
  std::string out;
  EXPECT_EQ(bulwark("config --pss baseline '" + priv + "'", &out), 1);
  EXPECT_NE(out.find("Pod Security Standards baseline: NOT admitted"), std::string::npos) << out;
  EXPECT_NE(out.find("Privileged Containers"), std::string::npos);
  EXPECT_EQ(bulwark("config --pss restricted '" + restricted + "'", &out), 0);
  EXPECT_NE(out.find("Pod Security Standards restricted: admitted"), std::string::npos) << out;
  // The restricted pod has non-PSS findings (limits...), but --pss only asks about admission.
  EXPECT_EQ(bulwark("config '" + restricted + "'", &out), 1);
}

TEST(ConfigCommand, SeverityFilterAndJsonFormat) {
  testing::TempDir tmp;
  auto df = (tmp.path() / "Dockerfile").string();
  testing::write_file(df, kDockerfile);
  std::string out;
  EXPECT_EQ(bulwark("config --format json --severity critical '" + df + "'", &out), 0);
  EXPECT_TRUE(json::parse(out)["findings"].empty());
  EXPECT_EQ(bulwark("config --format json --severity low,medium '" + df + "'", &out), 1);
  auto doc = json::parse(out);
  ASSERT_FALSE(doc["findings"].empty());
  for (const auto& f : doc["findings"])
    EXPECT_TRUE(f["severity"] == "low" || f["severity"] == "medium");
  EXPECT_EQ(bulwark("config --severity bogus '" + df + "' 2>&1", &out), 2);
}

TEST(ConfigCommand, SarifOutputIsValid) {
  BW_REQUIRE_SHARED(shared);
  if (testing::run_command("/usr/bin/python3 -c 'import jsonschema' 2>/dev/null") != 0)
    BW_SKIP_OR_FAIL("python3-jsonschema not installed for /usr/bin/python3");
  testing::TempDir tmp;
  testing::write_file(tmp.path() / "Dockerfile", kDockerfile);
  testing::write_file(tmp.path() / "k8s" / "pod.yaml", kPod);
  auto sarif = (tmp.path() / "out.sarif").string();
  EXPECT_EQ(bulwark("config --format sarif -o '" + sarif + "' '" + tmp.str() + "'"), 1);
  std::string out;
  int rc = testing::run_command(
      "/usr/bin/python3 '" + std::string(BULWARK_SOURCE_DIR) + "/tests/report/validate_json.py' '" +
          (shared / "schemas" / "sarif-schema-2.1.0.json").string() + "' '" + sarif + "' 2>&1",
      &out);
  EXPECT_EQ(rc, 0) << out;
  auto doc = json::parse(testing::read_file(sarif));
  bool saw_line = false;
  for (const auto& res : doc["runs"][0]["results"]) {
    EXPECT_EQ(res["properties"]["kind"], "misconfig");
    const auto& loc = res["locations"][0]["physicalLocation"];
    if (res["ruleId"] == "BW-K8S-003") {
      EXPECT_EQ(loc["artifactLocation"]["uri"], (tmp.path() / "k8s" / "pod.yaml").string());
      EXPECT_EQ(loc["region"]["startLine"], 8);
      saw_line = true;
    }
  }
  EXPECT_TRUE(saw_line);
}

TEST(ConfigCommand, BadInputIsAOneLineErrorWithExitTwo) {
  testing::TempDir tmp;
  std::string bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\n";
  for (char c = 'b'; c <= 'k'; ++c) {
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) bomb += std::string(i ? "," : "") + "*" + static_cast<char>(c - 1);
    bomb += "]\n";
  }
  bomb += "apiVersion: v1\nkind: Pod\n";
  auto path = (tmp.path() / "bomb.yaml").string();
  testing::write_file(path, bomb);
  std::string err;
  EXPECT_EQ(bulwark("config '" + path + "' 2>&1 >/dev/null", &err), 2);
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_NE(err.find("YAML bomb"), std::string::npos) << err;
  // A 1 MB one-line "Dockerfile".
  auto big = (tmp.path() / "Dockerfile").string();
  testing::write_file(big, "FROM alpine:3.19\nRUN " + std::string(1 << 20, 'x') + "\n");
  EXPECT_EQ(bulwark("config -q '" + big + "' >/dev/null 2>&1"), 1);
}

}  // namespace
}  // namespace bulwark::misconfig

namespace bulwark::misconfig {
namespace {

TEST(ConfigOutput, TableEscapesTerminalControlAndInvalidUtf8) {
  const Rule* rule = find_rule("BW-DF-018");
  ASSERT_NE(rule, nullptr);
  Issue i;
  i.rule = rule;
  i.file = "Dockerfile";
  i.line = 3;
  i.message =
      "caf\xc3\xa9 \x1b[31mred \xff\xfe \xe2\x80\xae"
      "evil";
  ConfigResult r{{{"Dockerfile", ConfigType::kDockerfile}}, {i}, {}};
  std::string out = write_config_table(r, std::nullopt);
  EXPECT_NE(out.find("caf\xc3\xa9 \\x1b[31mred \\xff\\xfe \\xe2\\x80\\xaeevil"), std::string::npos)
      << out;
  EXPECT_NE(out.find("1 file(s) checked, 1 finding(s): 0 critical, 1 high, 0 medium, 0 low"),
            std::string::npos);
}

TEST(YamlLimitsCli, DeepBlockNestingIsAOneLineLimitError) {
  std::string deep = "apiVersion: v1\nkind: Pod\nx:\n";
  for (int i = 0; i < 3000; ++i) deep += std::string(static_cast<size_t>(i) + 1, ' ') + "k:\n";
  auto r = load_yaml(deep, "deep.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), core::ErrorCode::kLimitExceeded);
  EXPECT_EQ(r.error().message().find('\n'), std::string::npos);
}

}  // namespace
}  // namespace bulwark::misconfig
