// Parity with Trivy, the scanner our users would otherwise run (issue 8): on the small corpus
// images every package Trivy reports must be in bulwark's SBOM. Packages are compared as
// (type, namespace, name, version), with Trivy's deb `epoch` qualifier folded into the version
// the way bulwark (and dpkg) write it. No timings here: bench/vs-trivy.sh measures speed.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "core/purl.hpp"
#include "support/test_env.hpp"
#include "trivy_peer.hpp"

namespace bulwark {
namespace {

// Installs Trivy once per machine with ../shared/peers/trivy.sh and returns its wrapper.
std::string package_key(const std::string& purl_text) {
  auto purl = core::PackageUrl::parse(purl_text, core::PurlParseMode::kLenient);
  if (!purl.ok()) return "unparsable purl: " + purl_text;
  std::string version = purl->version;
  if (auto it = purl->qualifiers.find("epoch"); it != purl->qualifiers.end() && it->second != "0")
    version = it->second + ":" + version;
  return purl->type + "/" + purl->namespace_ + "/" + purl->name + "@" + version;
}

std::set<std::string> cyclonedx_packages(const std::string& text) {
  std::set<std::string> out;
  auto doc = nlohmann::json::parse(text);
  for (const auto& c : doc.value("components", nlohmann::json::array())) {
    if (c.contains("purl")) out.insert(package_key(c["purl"].get<std::string>()));
  }
  return out;
}

class TrivyParity : public ::testing::TestWithParam<std::string> {};

TEST_P(TrivyParity, EveryPackageTrivyReportsIsInBulwarksSbom) {
  BW_REQUIRE_SHARED(shared);
  std::string why;
  auto corpus = testing::corpus_dir(&why);
  if (!corpus) BW_SKIP_OR_FAIL(why);
  auto tool = testing::install_trivy(shared, &why);
  if (!tool) BW_SKIP_OR_FAIL(why);
  const std::string image = (*corpus / (GetParam() + ".docker.tar")).string();

  testing::TempDir tmp;
  std::string trivy_out = tmp.str() + "/trivy.cdx.json";
  int trc = testing::run_command("'" + *tool + "' image --quiet --input '" + image +
                                 "' --format cyclonedx --output '" + trivy_out + "'");
  // A Trivy failure is Trivy's, never counted as a bulwark result.
  ASSERT_EQ(trc, 0) << "Trivy failed on " << image;
  std::string ours;
  ASSERT_EQ(testing::run_command("'" + testing::bulwark_binary() + "' -q sbom --no-cache '" +
                                     image + "' --format cyclonedx",
                                 &ours),
            0);

  auto theirs = cyclonedx_packages(testing::read_file(trivy_out));
  auto mine = cyclonedx_packages(ours);
  ASSERT_FALSE(theirs.empty()) << "Trivy reported no packages for " << image;
  std::vector<std::string> missing;
  for (const auto& k : theirs) {
    if (!mine.count(k)) missing.push_back(k);
  }
  EXPECT_TRUE(missing.empty()) << missing.size() << " of " << theirs.size()
                               << " packages Trivy reports are missing, e.g. " << missing.front();
  std::cout << "[ parity ] " << GetParam() << ": trivy " << theirs.size() << ", bulwark "
            << mine.size() << " packages, missing " << missing.size() << "\n";
}

// (path, layer diff_id) of every secret Trivy reports (`--scanners secret --format json`).
std::set<std::string> trivy_secrets(const std::string& text) {
  std::set<std::string> out;
  auto doc = nlohmann::json::parse(text);
  for (const auto& result : doc.value("Results", nlohmann::json::array())) {
    std::string path = result.value("Target", "");
    if (!path.starts_with('/')) path.insert(0, "/");
    for (const auto& s : result.value("Secrets", nlohmann::json::array())) {
      std::string diff_id;
      if (s.contains("Layer") && s["Layer"].is_object()) diff_id = s["Layer"].value("DiffID", "");
      out.insert(path + " @ " + diff_id);
    }
  }
  return out;
}

// The same for bulwark's JSON report: file secrets, their path and the layer that added them.
std::set<std::string> bulwark_secrets(const std::string& text) {
  std::set<std::string> out;
  auto doc = nlohmann::json::parse(text);
  const auto& layers = doc["target"]["layers"];
  for (const auto& f : doc["findings"]) {
    if (f["kind"] != "secret" || !f["layer"].is_number_integer()) continue;
    std::string path = f["target"].get<std::string>();
    path = path.substr(0, path.rfind(':'));
    auto layer = f["layer"].get<size_t>();
    if (layer < layers.size())
      out.insert(path + " @ " + layers[layer]["diff_id"].get<std::string>());
  }
  return out;
}

TEST(TrivyParitySecrets, EverySecretTrivyFindsInDebianAppIsInBulwarksFindings) {
  BW_REQUIRE_SHARED(shared);
  std::string why;
  auto corpus = testing::corpus_dir(&why);
  if (!corpus) BW_SKIP_OR_FAIL(why);
  auto tool = testing::install_trivy(shared, &why);
  if (!tool) BW_SKIP_OR_FAIL(why);
  const std::string image = (*corpus / "debian-app.docker.tar").string();
  testing::TempDir tmp;
  std::string trivy_out = tmp.str() + "/trivy.json";
  ASSERT_EQ(testing::run_command("'" + *tool + "' image --quiet --input '" + image +
                                 "' --scanners secret --format json --output '" + trivy_out + "'"),
            0)
      << "Trivy failed on " << image;
  std::string ours;
  ASSERT_EQ(
      testing::run_command("'" + testing::bulwark_binary() +
                               "' -q scan --no-cache --scanners secret -f json '" + image + "'",
                           &ours),
      0);
  auto theirs = trivy_secrets(testing::read_file(trivy_out));
  auto mine = bulwark_secrets(ours);
  ASSERT_FALSE(theirs.empty()) << "Trivy found no secret in " << image;
  for (const auto& s : theirs) EXPECT_TRUE(mine.count(s)) << "bulwark misses " << s;
  std::cout << "[ parity ] debian-app secrets: trivy " << theirs.size() << ", bulwark "
            << mine.size() << "\n";
}

INSTANTIATE_TEST_SUITE_P(SmallCorpus, TrivyParity,
                         ::testing::Values("debian-min", "debian-app", "rpm-db", "python-site"),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           for (auto& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

}  // namespace
}  // namespace bulwark
