#include "version/differential.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "version/version.hpp"

namespace bulwark::testing {

bool run_reference(const std::string& command, const std::vector<Pair>& pairs,
                   std::vector<std::string>* out, std::string* why) {
  TempDir tmp;
  std::string input;
  for (const auto& p : pairs) input += p.a + "\t" + p.b + "\n";
  write_file(tmp.path() / "in.tsv", input);
  std::string text;
  int rc = run_command(command + " < '" + (tmp.path() / "in.tsv").string() + "'", &text);
  if (rc != 0) {
    *why = "reference exited with " + std::to_string(rc) + ": " + command;
    return false;
  }
  out->clear();
  std::istringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) out->push_back(line);
  while (!out->empty() && out->back().empty() && out->size() > pairs.size()) out->pop_back();
  if (out->size() != pairs.size()) {
    *why = "reference printed " + std::to_string(out->size()) + " lines for " +
           std::to_string(pairs.size()) + " pairs";
    return false;
  }
  return true;
}

DiffReport diff_against(const std::string& ecosystem, const std::string& kind,
                        const std::vector<Pair>& pairs, const std::vector<std::string>& ref) {
  DiffReport r;
  r.pairs = pairs.size();
  for (size_t i = 0; i < pairs.size(); ++i) {
    std::string ours;
    if (kind == "compare") {
      auto c = version::compare(ecosystem, pairs[i].a, pairs[i].b);
      ours = c.ok() ? std::to_string(*c) : "E";
    } else {
      auto s = version::satisfies(ecosystem, pairs[i].a, pairs[i].b);
      ours = s.ok() ? (*s ? "true" : "false") : "E";
    }
    if (ours == ref[i]) {
      ++r.agreed;
      if (ours == "E") ++r.both_rejected;
    } else if (r.disagreements.size() < 25) {
      r.disagreements.push_back("\"" + pairs[i].a + "\" vs \"" + pairs[i].b + "\": ours " + ours +
                                ", reference " + ref[i]);
    } else {
      r.disagreements.push_back("...");
    }
  }
  return r;
}

void expect_agreement(const std::string& label, const DiffReport& r) {
  std::printf("[differential] %s: %zu pairs, %zu agreed (%zu rejected by both), %zu disagreed\n",
              label.c_str(), r.pairs, r.agreed, r.both_rejected, r.pairs - r.agreed);
  ::testing::Test::RecordProperty(label + " pairs", static_cast<int>(r.pairs));
  std::string shown;
  size_t n = 0;
  for (const auto& d : r.disagreements) {
    if (n++ == 25) break;
    shown += "\n  " + d;
  }
  EXPECT_EQ(r.agreed, r.pairs) << label << " disagreements:" << shown;
  // Mostly-rejected input would make agreement meaningless.
  EXPECT_LT(r.both_rejected * 4, r.pairs) << label << ": the reference rejected most inputs";
}

namespace {

std::string mutate(const std::string& s, std::mt19937& rng) {
  if (s.empty()) return s;
  std::string t = s;
  std::uniform_int_distribution<int> what(0, 5);
  size_t pos = std::uniform_int_distribution<size_t>(0, t.size() - 1)(rng);
  switch (what(rng)) {
    case 0:  // bump a digit
      for (size_t k = pos; k < t.size(); ++k) {
        if (t[k] >= '0' && t[k] <= '8') {
          ++t[k];
          break;
        }
      }
      break;
    case 1:
      t += ".0";
      break;
    case 2:
      t = t.substr(0, pos + 1);
      break;
    case 3:
      t.insert(pos + 1, "0");
      break;
    case 4:
      t += "1";
      break;
    default:
      break;  // equal pair
  }
  return t;
}

}  // namespace

std::vector<Pair> make_pairs(const std::vector<std::string>& pool, size_t random_pairs,
                             uint32_t seed) {
  std::vector<Pair> out;
  if (pool.empty()) return out;
  std::mt19937 rng(seed);
  std::uniform_int_distribution<size_t> pick(0, pool.size() - 1);
  for (size_t i = 0; i < random_pairs; ++i) out.push_back({pool[pick(rng)], pool[pick(rng)]});
  for (const auto& v : pool) out.push_back({v, mutate(v, rng)});
  return out;
}

std::vector<std::string> grep_advisories(const std::filesystem::path& shared,
                                         const std::string& tarball, const std::string& wildcards,
                                         const std::string& pcre, std::string* why) {
  // Streamed (tar -O) instead of extracted: thousands of small files cost seconds of disk I/O.
  // GNU grep -P is orders of magnitude faster than std::regex on these feeds.
  TempDir tmp;
  write_file(tmp.path() / "pattern", pcre + "\n");
  const auto archive = shared / "advisories" / tarball;
  if (!std::filesystem::exists(archive)) {
    *why = archive.string() + " not found";
    return {};
  }
  std::string text;
  int rc = run_command("tar --zstd -xOf '" + archive.string() + "' --wildcards " + wildcards +
                           " | grep -oP -f '" + (tmp.path() / "pattern").string() + "'",
                       &text);
  if (rc != 0) {
    *why = "tar | grep over " + tarball + " failed (" + std::to_string(rc) + ")";
    return {};
  }
  std::vector<std::string> out;
  std::istringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) out.push_back(line);
  return out;
}

std::vector<Pair> accepted_pairs(const std::string& ecosystem, const std::vector<Pair>& pairs,
                                 size_t* rejected) {
  std::vector<Pair> out;
  *rejected = 0;
  for (const auto& p : pairs) {
    if (version::compare(ecosystem, p.a, p.b).ok())
      out.push_back(p);
    else
      ++*rejected;
  }
  return out;
}

uint32_t seed(uint32_t base) {
  const char* env = std::getenv("BULWARK_DIFF_SEED");
  return base + (env != nullptr ? static_cast<uint32_t>(std::strtoul(env, nullptr, 10)) : 0U);
}

std::string reference_dir() {
  return std::string(BULWARK_SOURCE_DIR) + "/tests/version/reference";
}

std::vector<std::string> dedupe(std::vector<std::string> v) {
  std::set<std::string> seen;
  std::vector<std::string> out;
  for (auto& s : v) {
    if (!s.empty() && seen.insert(s).second) out.push_back(std::move(s));
  }
  return out;
}

}  // namespace bulwark::testing

namespace bulwark::testing {

std::string npm_semver_module(std::string* why) {
  std::string dir = "/var/tmp/bulwark-npm-semver";
  if (const char* env = std::getenv("BULWARK_NPM_SEMVER")) dir = env;
  const std::string module = dir + "/node_modules/semver";
  if (std::filesystem::exists(module + "/package.json")) return module;
  if (!have_command("node") || !have_command("npm")) {
    *why = "node and npm are needed for the node-semver reference";
    return "";
  }
  if (run_command("npm install --silent --no-audit --no-fund --prefix '" + dir +
                  "' semver@7 >&2") != 0) {
    *why = "npm install semver failed";
    return "";
  }
  return module;
}

std::string maven_reference_command(std::string* why) {
  const std::string jar = "/usr/share/java/maven3-artifact.jar";
  if (!std::filesystem::exists(jar) || !have_command("javac") || !have_command("java")) {
    *why = "libmaven3-core-java and default-jdk-headless are needed for the Maven reference";
    return "";
  }
  const std::string dir = "/var/tmp/bulwark-maven-ref";
  std::filesystem::create_directories(dir);
  if (run_command("javac -d '" + dir + "' -cp " + jar + " '" + reference_dir() +
                  "/MavenRef.java' >&2") != 0) {
    *why = "javac MavenRef.java failed";
    return "";
  }
  // DefaultArtifactVersion (used by VersionRange) needs commons-lang3.
  return "java -cp '" + dir + ":" + jar + ":/usr/share/java/commons-lang3.jar' MavenRef";
}

}  // namespace bulwark::testing
