// The ignore file (.bulwarkignore.yaml): entries, strictness about keys and reasons, dates,
// malformed YAML, bounds.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "vex/vex.hpp"
#include "vex_test_support.hpp"

namespace bulwark::vex {
namespace {

using ::testing::HasSubstr;

std::string error_of(std::string_view yaml) {
  auto r = parse_ignore_file(yaml, ".bulwarkignore.yaml");
  return r.ok() ? "(parsed)" : r.error().message();
}

TEST(IgnoreFile, ReadsEveryEntryWithItsLine) {
  auto r = parse_ignore_file(test::fixture("bulwarkignore.yaml"), "ign.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->path, "ign.yaml");
  ASSERT_EQ(r->entries.size(), 4U);
  const auto& e = r->entries[0];
  EXPECT_EQ(e.id, "CVE-2023-4911");
  EXPECT_EQ(e.package, "pkg:deb/debian/libc6");
  EXPECT_EQ(e.path, "");
  EXPECT_EQ(e.reason, "no setuid binaries are run with user-controlled environment");
  EXPECT_EQ(e.expires, "2099-12-31");
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(r->entries[1].path, "/app/config/*.json");
  EXPECT_EQ(r->entries[1].line, 7);
  EXPECT_EQ(r->entries[3].package, "lodash");
}

TEST(IgnoreFile, UnknownKeyIsAnErrorNamingFileAndLine) {
  EXPECT_EQ(error_of("ignore:\n  - id: CVE-2023-4911\n    reasn: typo\n"),
            ".bulwarkignore.yaml:3: unknown key \"reasn\" (expected id, package, path, reason, "
            "expires)");
  EXPECT_EQ(error_of("version: 1\nignore: []\n"),
            ".bulwarkignore.yaml:1: unknown top-level key \"version\" (expected \"ignore\")");
}

TEST(IgnoreFile, MissingReasonIsAnErrorNamingFileAndLine) {
  EXPECT_EQ(error_of("ignore:\n  - id: a\n    reason: fine\n  - id: CVE-2023-4911\n"
                     "    package: pkg:deb/debian/libc6\n"),
            ".bulwarkignore.yaml:4: entry for CVE-2023-4911 has no \"reason\" (required: say why "
            "it is ignored)");
  EXPECT_EQ(error_of("ignore:\n  - reason: no id\n"), ".bulwarkignore.yaml:2: entry has no \"id\"");
  EXPECT_EQ(error_of("ignore:\n  - id: x\n    reason: \"\"\n"),
            ".bulwarkignore.yaml:3: \"reason\" must be a non-empty string");
}

TEST(IgnoreFile, ExpiresMustBeACalendarDate) {
  EXPECT_EQ(error_of("ignore:\n  - id: x\n    reason: r\n    expires: 2024-02-30\n"),
            ".bulwarkignore.yaml:4: expires \"2024-02-30\" is not a date YYYY-MM-DD");
  EXPECT_EQ(error_of("ignore:\n  - id: x\n    reason: r\n    expires: next week\n"),
            ".bulwarkignore.yaml:4: expires \"next week\" is not a date YYYY-MM-DD");
}

TEST(IgnoreFile, WrongShapesAreErrors) {
  EXPECT_EQ(error_of("- id: x\n  reason: r\n"),
            ".bulwarkignore.yaml:1: expected a mapping with an \"ignore\" list at the top");
  EXPECT_EQ(error_of("ignore:\n  id: x\n"),
            ".bulwarkignore.yaml:2: \"ignore\" must be a list of entries");
  EXPECT_EQ(error_of("ignore:\n  - CVE-2023-4911\n"),
            ".bulwarkignore.yaml:2: an ignore entry must be a mapping with id and reason");
  EXPECT_EQ(error_of("ignore:\n  - id: [a, b]\n    reason: r\n"),
            ".bulwarkignore.yaml:2: \"id\" must be a non-empty string");
}

TEST(IgnoreFile, MalformedYamlIsOneLineWithTheLine) {
  auto m = error_of("ignore:\n  - {id: x, reason: unclosed\n");
  EXPECT_THAT(m, HasSubstr(".bulwarkignore.yaml:"));
  EXPECT_THAT(m, HasSubstr("invalid YAML"));
  EXPECT_EQ(m.find('\n'), std::string::npos);
}

TEST(IgnoreFile, EmptyFileAndEmptyListIgnoreNothing) {
  for (const char* text : {"", "# nothing yet\n", "ignore:\n", "ignore: []\n"}) {
    auto r = parse_ignore_file(text, "e.yaml");
    ASSERT_TRUE(r.ok()) << text << ": " << r.error().message();
    EXPECT_TRUE(r->entries.empty());
  }
}

TEST(IgnoreFile, HostileNestingAndBinaryAreRefused) {
  EXPECT_THAT(error_of("ignore: " + std::string(10000, '[')), HasSubstr("nested deeper than"));
  EXPECT_THAT(error_of(std::string("ignore:\0", 8)), HasSubstr("binary content"));
}

TEST(IgnoreFile, AliasesDoNotMultiplyEntries) {
  // YAML anchors are shared nodes; an entry reused by alias is one more entry, no more.
  auto r = parse_ignore_file(
      "ignore:\n  - &e {id: CVE-2023-4911, reason: shared}\n  - *e\n  - *e\n", "a.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->entries.size(), 3U);
}

TEST(LoadIgnoreFile, MissingFileIsAnErrorNamingIt) {
  auto r = load_ignore_file("/nonexistent/.bulwarkignore.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message(), HasSubstr("/nonexistent/.bulwarkignore.yaml"));
}

}  // namespace
}  // namespace bulwark::vex
