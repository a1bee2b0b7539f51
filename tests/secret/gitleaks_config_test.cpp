// The gitleaks TOML loader on a config written in gitleaks' documented format (README and
// config/gitleaks.toml layout: [extend], [[rules]] with [[rules.allowlists]], [allowlist],
// [[allowlists]] with targetRules), checked for the allowlist semantics gitleaks documents:
// OR by default, AND with condition = "AND", regexTarget secret|match|line, stopwords,
// path-only rules, and rules of the extending config overriding the base ones by id.
#include "secret/gitleaks_config.hpp"

#include <gtest/gtest.h>

#include "secret/engine.hpp"
#include "support/test_env.hpp"

namespace bulwark::secret {
namespace {

constexpr const char* kConfig = R"toml(
title = "company gitleaks config"

[extend]
useDefault = true

[[rules]]
id = "acme-api-key"
description = "Acme Corp API key"
regex = '''(?i)acme[\w.-]{0,20}(?:key|token)['"]?\s*[:=]\s*['"]?([a-z0-9]{32})'''
secretGroup = 1
entropy = 3.0
keywords = ["acme"]
tags = ["key", "acme"]

  [[rules.allowlists]]
  description = "test fixtures"
  paths = ['''(?:^|/)testdata/''']

  [[rules.allowlists]]
  description = "marked lines with a dead key"
  condition = "AND"
  regexTarget = "line"
  regexes = ['''#\s*nosecret''']
  stopwords = ["dead"]

[[rules]]
id = "pkcs12-file"
description = "PKCS#12 key store"
path = '''(?i)\.p(?:12|fx)$'''

[[rules]]
id = "github-pat"
description = "GitHub token (company override)"
regex = '''ghp_[0-9a-zA-Z]{36}'''
keywords = ["ghp_"]

[allowlist]
description = "global allowlist"
paths = ['''gitleaks\.toml$''', '''(.*?)(jpg|gif|doc|pdf)$''']
regexTarget = "match"
regexes = ['''key\s*=\s*['"]?0{8}''']
stopwords = ["example"]

[[allowlists]]
description = "only for acme keys"
targetRules = ["acme-api-key"]
regexes = ['''^ffff''']
)toml";

const std::string kAcme = "9c1f2e7a4b8d3c6e0a5f1b9d7e2c4a8f";

std::shared_ptr<const Engine> load(const std::string& text) {
  auto set = parse_gitleaks_config(text, "gitleaks.toml", builtin_rules());
  EXPECT_TRUE(set.ok()) << (set.ok() ? "" : set.error().message());
  auto e = Engine::compile(std::move(set).value());
  EXPECT_TRUE(e.ok()) << (e.ok() ? "" : e.error().message());
  return std::move(e).value();
}

std::vector<std::string> ids(const std::vector<SecretMatch>& v) {
  std::vector<std::string> out;
  for (const auto& m : v) out.push_back(m.rule->id);
  return out;
}

TEST(GitleaksConfig, ExtendsTheDefaultsAndOverridesRulesById) {
  auto set = std::move(parse_gitleaks_config(kConfig, "g.toml", builtin_rules())).value();
  EXPECT_EQ(set.rules.size(), builtin_rules().rules.size() + 2);
  auto gh = std::find_if(set.rules.begin(), set.rules.end(),
                         [](const Rule& r) { return r.id == "github-pat"; });
  ASSERT_NE(gh, set.rules.end());
  EXPECT_EQ(gh->title, "GitHub token (company override)");
  EXPECT_EQ(set.allowlists.size(), builtin_rules().allowlists.size() + 2);
  auto e = load(kConfig);
  EXPECT_EQ(ids(e->scan("/a", "AWS=AKIAQYLPMN5HHHFPZAM2\n")),
            std::vector<std::string>{"aws-access-key-id"});
}

TEST(GitleaksConfig, SecretGroupKeywordsAndEntropy) {
  auto e = load(kConfig);
  auto m = e->scan("/src/app.py", "ACME_TOKEN = '" + kAcme + "'\n");
  ASSERT_EQ(ids(m), std::vector<std::string>{"acme-api-key"});
  EXPECT_EQ(m[0].redacted.substr(0, 4), kAcme.substr(0, 4));
  EXPECT_TRUE(e->scan("/src/app.py", "ACME_TOKEN = '" + std::string(32, '7') + "'\n").empty())
      << "below the entropy floor";
}

TEST(GitleaksConfig, RuleAllowlistsAreOrByDefaultAndAndWhenAsked) {
  auto e = load(kConfig);
  const std::string line = "acme_key: " + kAcme;
  EXPECT_TRUE(e->scan("/repo/testdata/keys.txt", line + "\n").empty()) << "path allowlist";
  // AND: the line marker alone, or the stopword alone, does not allow it.
  EXPECT_EQ(e->scan("/repo/a.txt", line + "  # nosecret\n").size(), 1U);
  const std::string dead = "deadbeef4b8d3c6e0a5f1b9d7e2c4a8f";
  EXPECT_EQ(e->scan("/repo/a.txt", "acme_key: " + dead + "\n").size(), 1U);
  EXPECT_TRUE(e->scan("/repo/a.txt", "acme_key: " + dead + "  # nosecret\n").empty());
}

TEST(GitleaksConfig, GlobalAllowlistsPathsMatchTargetStopwordsAndTargetRules) {
  auto e = load(kConfig);
  EXPECT_EQ(e->open("/repo/.gitleaks.toml"), nullptr);
  EXPECT_EQ(e->open("/repo/scan.pdf"), nullptr);
  // regexTarget = match: the whole match, not only the secret.
  EXPECT_TRUE(e->scan("/a", "acme_key = 00000000a5f1b9d7e2c4a8f9c1f2e7a4\n").empty());
  EXPECT_TRUE(e->scan("/a", "acme_key = example9d7e2c4a8f9c1f2e7a4b8d3c6\n").empty());
  // targetRules: ^ffff allows acme keys only.
  EXPECT_TRUE(e->scan("/a", "acme_key = ffff2e7a4b8d3c6e0a5f1b9d7e2c4a8f\n").empty());
  EXPECT_EQ(ids(e->scan("/a", "{\"token\": \"ghp_ffffXv9LmN2pR7tY4wK8sB1cD6fH0jG5aQeRt\"}")),
            std::vector<std::string>{"github-pat"});
}

TEST(GitleaksConfig, PathOnlyRuleFlagsTheFile) {
  auto e = load(kConfig);
  auto m = e->scan("/srv/tls/server.P12", std::string("\x30\x82\x0a\x00", 4));
  EXPECT_EQ(ids(m), std::vector<std::string>{"pkcs12-file"});
}

TEST(GitleaksConfig, WithoutExtendOnlyTheConfigRulesApply) {
  auto set = parse_gitleaks_config("[[rules]]\nid = \"only\"\nregex = '''only_[0-9]{6}'''\n",
                                   "g.toml", builtin_rules());
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->rules.size(), 1U);
  EXPECT_TRUE(set->allowlists.empty());
}

TEST(GitleaksConfig, ExtendByPathChainsToTheBaseFile) {
  testing::TempDir dir;
  testing::write_file(dir.path() / "base.toml",
                      "[[rules]]\nid = \"base\"\nregex = '''base_[0-9]{6}'''\n");
  testing::write_file(dir.path() / "child.toml",
                      "[extend]\npath = \"base.toml\"\n[[rules]]\nid = \"child\"\n"
                      "regex = '''child_[0-9]{6}'''\n");
  auto set = load_gitleaks_config((dir.path() / "child.toml").string(), builtin_rules());
  ASSERT_TRUE(set.ok()) << set.error().message();
  ASSERT_EQ(set->rules.size(), 2U);
  EXPECT_EQ(set->rules[0].id, "base");
  EXPECT_EQ(set->rules[1].id, "child");
}

TEST(GitleaksConfig, ErrorsNameTheFileLineOrRule) {
  auto bad_toml = parse_gitleaks_config("[[rules]\nid=1", "bad.toml", builtin_rules());
  ASSERT_FALSE(bad_toml.ok());
  EXPECT_EQ(bad_toml.error().message().rfind("bad.toml:1", 0), 0U) << bad_toml.error().message();

  auto no_id = parse_gitleaks_config("[[rules]]\nregex = 'x'\n", "g.toml", builtin_rules());
  ASSERT_FALSE(no_id.ok());
  EXPECT_NE(no_id.error().message().find("needs an id"), std::string::npos);

  auto bad_target = parse_gitleaks_config("[allowlist]\nregexTarget = 'file'\n", "g.toml", {});
  ASSERT_FALSE(bad_target.ok());

  auto set = parse_gitleaks_config(
      "[[rules]]\nid = \"broken-rule\"\nregex = '''abc(def'''\n"
      "[[rules]]\nid = \"bad-group\"\nregex = '''x([0-9]{4})'''\nsecretGroup = 3\n",
      "g.toml", builtin_rules());
  ASSERT_TRUE(set.ok());
  auto e = Engine::compile(std::move(set).value());
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message().find("broken-rule"), std::string::npos) << e.error().message();
  EXPECT_NE(e.error().message().find("bad-group"), std::string::npos) << e.error().message();
}

}  // namespace
}  // namespace bulwark::secret
