#include "secret/engine.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "secret/rules.hpp"

namespace bulwark::secret {
namespace {

std::shared_ptr<const Engine> builtin_engine() {
  static auto e = std::move(Engine::compile(builtin_rules())).value();
  return e;
}

Rule custom(std::string id, std::string regex) {
  Rule r;
  r.id = std::move(id);
  r.title = r.id;
  r.category = "custom";
  r.regex = std::move(regex);
  return r;
}

// A GitHub token with 36 characters after the prefix (format from GitHub's token docs).
const std::string kGithub = "ghp_Zq3Xv9LmN2pR7tY4wK8sB1cD6fH0jG5aQeRt";

TEST(SecretEngine, ReportsLineOffsetAndRedactedEvidence) {
  std::string text = "line one\nline two\n{\"token\": \"" + kGithub + "\"}\n";
  auto m = builtin_engine()->scan("/app/config.json", text);
  ASSERT_EQ(m.size(), 1U);
  EXPECT_EQ(m[0].rule->id, "github-pat");
  EXPECT_EQ(m[0].line, 3U);
  EXPECT_EQ(m[0].offset, text.find("ghp_"));
  EXPECT_EQ(m[0].redacted.substr(0, 4), "ghp_");
  EXPECT_EQ(m[0].redacted.find("Zq3X"), std::string::npos) << "evidence must be redacted";
}

TEST(SecretEngine, FindsASecretSplitAcrossEveryChunkBoundary) {
  std::string text = std::string(5000, 'x') + "\nkey\n" + kGithub + "\ntail\n";
  size_t at = text.find("ghp_");
  for (size_t cut = at - 2; cut <= at + kGithub.size() + 1; ++cut) {
    auto f = builtin_engine()->open("/f");
    f->write(std::string_view(text).substr(0, cut));
    f->write(std::string_view(text).substr(cut));
    auto m = f->finish();
    ASSERT_EQ(m.size(), 1U) << "cut at " << cut;
    EXPECT_EQ(m[0].line, 3U) << "cut at " << cut;
    EXPECT_EQ(m[0].offset, at);
  }
}

TEST(SecretEngine, ManySmallChunksKeepLineNumbers) {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "plain line " + std::to_string(i) + "\n";
  text += "export AWS_KEY=AKIAQYLPMN5HHHFPZAM2\n";
  auto f = builtin_engine()->open("/f");
  for (size_t i = 0; i < text.size(); i += 7) f->write(std::string_view(text).substr(i, 7));
  auto m = f->finish();
  ASSERT_EQ(m.size(), 1U);
  EXPECT_EQ(m[0].rule->id, "aws-access-key-id");
  EXPECT_EQ(m[0].line, 2001U);
}

TEST(SecretEngine, SkipsBinaryFilesByContentNotName) {
  std::string secret = "token=" + kGithub + "\n";
  std::string binary = std::string(
                           "\x7f"
                           "ELF\0\0\0",
                           7) +
                       secret;
  auto f = builtin_engine()->open("/usr/share/doc/readme.txt");
  f->write(binary);
  EXPECT_TRUE(f->finish().empty());
  EXPECT_TRUE(f->skipped_binary());
  // A text file named like a binary is still scanned.
  EXPECT_EQ(builtin_engine()->scan("/opt/app/payload.bin", secret).size(), 1U);
}

TEST(SecretEngine, BinarySniffCountsInvalidUtf8) {
  EXPECT_FALSE(looks_binary("plain ascii\n"));
  EXPECT_FALSE(looks_binary("caf\xc3\xa9 na\xc3\xafve\n"));
  std::string latin;
  for (int i = 0; i < 200; ++i) latin += "\xe9\xe8\xff";
  EXPECT_TRUE(looks_binary(latin));
  EXPECT_TRUE(looks_binary(std::string("a\0b", 3)));
}

TEST(SecretEngine, GenericValueTakesItsFullLength) {
  auto m = builtin_engine()->scan("/app/.env", "DB_PASSWORD=q8Vz2LmT4pXr7NcW1kYs\n");
  ASSERT_EQ(m.size(), 1U);
  EXPECT_EQ(m[0].rule->id, "dotenv-secret");
  EXPECT_EQ(m[0].redacted, "q8Vz****************");
  EXPECT_EQ(m[0].offset, 12U);
}

TEST(SecretEngine, EntropyFloorDropsWordsAndRepetition) {
  EXPECT_TRUE(builtin_engine()->scan("/a", "DB_PASSWORD=aaaaaaaaaaaaaaaa\n").empty());
  EXPECT_TRUE(builtin_engine()->scan("/a", "password = \"password\"\n").empty());
  EXPECT_NEAR(shannon_entropy("aaaa"), 0.0, 1e-9);
  EXPECT_NEAR(shannon_entropy("abcd"), 2.0, 1e-9);
}

TEST(SecretEngine, GlobalPlaceholderAllowlist) {
  EXPECT_TRUE(builtin_engine()->scan("/a", "aws_key = AKIAIOSFODNN7EXAMPLE\n").empty());
  EXPECT_TRUE(builtin_engine()->scan("/a", "DB_PASSWORD=${DB_PASSWORD_FROM_VAULT}\n").empty());
}

TEST(SecretEngine, AllowlistsByPathRegexStopwordAndCondition) {
  RuleSet set;
  set.rules.push_back(custom("tok", R"(\btok_([a-z0-9]{12})\b)"));
  Allowlist by_path;
  by_path.paths = {R"(^/fixtures/)"};
  Allowlist by_regex;
  by_regex.regexes = {"^0123"};
  Allowlist by_stopword;
  by_stopword.stopwords = {"TESTING"};
  Allowlist both;
  both.require_all = true;
  both.paths = {R"(\.md$)"};
  both.regexes = {"zzz"};
  set.allowlists = {by_path, by_regex, by_stopword, both};
  auto e = std::move(Engine::compile(set)).value();
  EXPECT_EQ(e->scan("/src/a.txt", "tok_a1b2c3d4e5f6").size(), 1U);
  EXPECT_EQ(e->open("/fixtures/a.txt"), nullptr) << "a path-only allowlist skips the file";
  EXPECT_TRUE(e->scan("/src/a.txt", "tok_0123abcdefgh").empty());
  EXPECT_TRUE(e->scan("/src/a.txt", "tok_testing12345").empty());
  // AND: the path alone or the regex alone is not enough.
  EXPECT_EQ(e->scan("/doc/a.md", "tok_a1b2c3d4e5f6").size(), 1U);
  EXPECT_EQ(e->scan("/doc/a.txt", "tok_zzza1b2c3d4e").size(), 1U);
  EXPECT_TRUE(e->scan("/doc/a.md", "tok_zzza1b2c3d4e").empty());
}

TEST(SecretEngine, RuleAllowlistTargetsLineOrMatch) {
  RuleSet set;
  Rule r = custom("tok", R"(tok_([a-z0-9]{12}))");
  Allowlist line;
  line.regex_target = RegexTarget::kLine;
  line.regexes = {"# not-a-secret"};
  r.allowlists.push_back(line);
  set.rules.push_back(r);
  auto e = std::move(Engine::compile(set)).value();
  EXPECT_TRUE(e->scan("/a", "x = tok_a1b2c3d4e5f6  # not-a-secret\n").empty());
  EXPECT_EQ(e->scan("/a", "x = tok_a1b2c3d4e5f6\n# not-a-secret\n").size(), 1U);
}

TEST(SecretEngine, KeywordsAreEnforcedForCustomRules) {
  RuleSet set;
  Rule r = custom("hex", R"(\b([a-f0-9]{32})\b)");
  r.keywords = {"acme"};
  r.enforce_keywords = true;
  set.rules.push_back(r);
  auto e = std::move(Engine::compile(set)).value();
  const std::string hex = "9f86d081884c7d659a2feaa0c55ad015";
  EXPECT_TRUE(e->scan("/a", "checksum " + hex + "\n").empty());
  EXPECT_EQ(e->scan("/a", "ACME_KEY=" + hex + "\n").size(), 1U);
}

TEST(SecretEngine, RulesThatDoNotCompileAreNamed) {
  RuleSet set;
  set.rules.push_back(custom("fine", "abc[0-9]{4}"));
  set.rules.push_back(custom("broken-paren", "abc(def"));
  set.rules.push_back(custom("empty-match", "x*"));
  auto r = Engine::compile(set);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("broken-paren"), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("empty-match"), std::string::npos) << r.error().message();
  EXPECT_EQ(r.error().message().find("'fine'"), std::string::npos);
}

TEST(SecretEngine, LookaroundFallsBackToPrefilterAndPcreDecides) {
  RuleSet set;
  set.rules.push_back(custom("after-key", R"((?<=key=)([A-Z0-9]{10}))"));
  auto e = std::move(Engine::compile(set)).value();
  EXPECT_EQ(e->scan("/a", "key=ABCDE12345\n").size(), 1U);
  EXPECT_TRUE(e->scan("/a", "kex=ABCDE12345\n").empty());
}

TEST(SecretEngine, PathologicalBacktrackingPatternStaysBounded) {
  RuleSet set;
  set.rules.push_back(custom("evil", R"(((a+)+)+b)"));
  auto e = std::move(Engine::compile(set)).value();
  std::string input(1 << 20, 'a');
  auto t0 = std::chrono::steady_clock::now();
  auto m = e->scan("/a", input);
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_TRUE(m.empty());
  EXPECT_LT(secs, 5.0);
}

TEST(SecretEngine, PathOnlyRuleReportsTheFile) {
  RuleSet set;
  Rule r;
  r.id = "keystore";
  r.title = "Java keystore";
  r.path = R"(\.(?:jks|p12)$)";
  set.rules.push_back(r);
  auto e = std::move(Engine::compile(set)).value();
  EXPECT_EQ(e->scan("/app/server.p12", std::string("\x30\x82\0\0", 4)).size(), 1U);
  EXPECT_TRUE(e->scan("/app/server.pem", "x").empty());
}

TEST(SecretEngine, RedactKeepsFourCharacters) {
  EXPECT_EQ(redact("AKIAQYLPMN5HHHFPZAM2"), "AKIA****************");
  EXPECT_EQ(redact("abcdef"), "abcd****");
  EXPECT_EQ(redact("abc"), "***");
  EXPECT_EQ(redact("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9zzzz"), "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9****");
}

}  // namespace
}  // namespace bulwark::secret
