// The planted secrets and EICAR of ../shared/corpus/build.sh are found with their layers
// (including the ones a later layer deleted), and nothing else is flagged: not in the Debian
// root of debian-app, and not anywhere in the `big` image (false-positive measurement).
#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "findings/findings.hpp"
#include "image/image.hpp"
#include "image/layer_reader.hpp"
#include "image/merged_fs.hpp"
#include "malware/analyzer.hpp"
#include "secret/analyzer.hpp"
#include "support/test_env.hpp"

namespace bulwark::secret {
namespace {

struct Scan {
  std::vector<report::Finding> findings;
  std::vector<std::string> warnings;
};

Scan scan_image(const std::string& target) {
  auto engine = std::move(Engine::compile(builtin_rules())).value();
  auto mw = std::move(malware::Scanner::create({})).value();
  SecretAnalyzer secrets(engine);
  malware::MalwareAnalyzer malware(mw);
  auto img = image::open_image(target, {});
  EXPECT_TRUE(img.ok()) << (img.ok() ? "" : img.error().message());
  if (!img.ok()) return {};
  image::ReadOptions opts;
  auto layers = image::read_layers(*img, {&secrets, &malware}, opts);
  EXPECT_TRUE(layers.ok()) << (layers.ok() ? "" : layers.error().message());
  if (!layers.ok()) return {};
  auto fs = image::MergedFs::build(*layers);
  Scan s;
  s.findings = findings::collect_file_findings(*layers, fs, s.warnings);
  secrets.finalize(*img, s.findings);
  malware.finalize(*img, s.findings);
  return s;
}

using Key =
    std::tuple<std::string, std::string, std::string, int, int>;  // kind id target layer removed

std::set<Key> keys(const std::vector<report::Finding>& v) {
  std::set<Key> out;
  for (const auto& f : v)
    out.emplace(f.kind, f.id, f.target, f.layer.value_or(-1), f.removed_in_layer.value_or(-1));
  return out;
}

std::string describe(const std::vector<report::Finding>& v) {
  std::string s;
  for (const auto& f : v)
    s += "  " + f.kind + " " + f.id + " " + f.target + " layer " +
         std::to_string(f.layer.value_or(-1)) + " removed " +
         std::to_string(f.removed_in_layer.value_or(-1)) + " evidence " + f.evidence + "\n";
  return s;
}

// MANIFEST.txt of the corpus: layers are 1-based there, 0-based in reports.
const std::set<Key> kPlanted = {
    {"secret", "aws-access-key-id", "/root/.aws/credentials:2", 3, 4},
    {"secret", "aws-secret-access-key", "/root/.aws/credentials:3", 3, 4},
    {"secret", "private-key-rsa", "/opt/keys/id_rsa:2", 3, 4},
    {"secret", "private-key-pkcs8", "/etc/ssl/private/corpus-ed25519.pem:2", 3, -1},
    {"secret", "github-pat", "/app/config/deploy.json:3", 3, -1},
    {"secret", "dotenv-secret", "/app/.env:5", 3, -1},
    {"secret", "postgres-url-password", "/app/.env:6", 3, -1},
    {"malware", "EICAR_Test_File", "/opt/downloads/eicar.com", 3, -1},
    {"secret", "dotenv-secret", "config.Env[3]", -1, -1},
};

class CorpusApp : public ::testing::TestWithParam<std::string> {};

TEST_P(CorpusApp, FindsEveryPlantedSecretWithItsLayersAndNothingElse) {
  std::string why;
  auto dir = testing::corpus_dir(&why);
  if (!dir) BW_SKIP_OR_FAIL(why);
  auto s = scan_image((*dir / GetParam()).string());
  EXPECT_EQ(keys(s.findings), kPlanted) << describe(s.findings);
  for (const auto& f : s.findings) {
    EXPECT_FALSE(f.evidence.empty()) << f.target;
    if (f.id == "aws-access-key-id") {
      EXPECT_EQ(f.evidence.substr(0, 4), "AKIA");
      EXPECT_EQ(f.evidence.find("LSQ733"), std::string::npos) << "evidence not redacted";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, CorpusApp,
                         ::testing::Values("debian-app.docker.tar", "debian-app.oci"),
                         [](const auto& p) {
                           return p.param.find("oci") != std::string::npos
                                      ? std::string("Oci")
                                      : std::string("DockerArchive");
                         });

// The `big` image is only in the full corpus (build.sh OUTDIR all).
TEST(CorpusBig, NoFalsePositivesInTheWholeBigImage) {
  const char* env = std::getenv("BULWARK_CORPUS_ALL_DIR");
  std::filesystem::path dir = env != nullptr && *env != '\0' ? env : "/var/tmp/bulwark-corpus-all";
  if (!std::filesystem::exists(dir / "big.docker.tar"))
    GTEST_SKIP() << dir << "/big.docker.tar not built (corpus/build.sh DIR all)";
  auto s = scan_image((dir / "big.docker.tar").string());
  EXPECT_TRUE(s.findings.empty()) << s.findings.size() << " false positives:\n"
                                  << describe(s.findings);
}

}  // namespace
}  // namespace bulwark::secret
