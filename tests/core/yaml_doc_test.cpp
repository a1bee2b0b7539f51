// core::YamlDoc against yaml-cpp (the YAML library the rest of bulwark uses) as the reference:
// the same documents must give the same tree, node for node.
#include "core/yaml_doc.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <string>

namespace bulwark::core {
namespace {

// Describes a tree in one canonical text: {k: v, ...}, [a, ...], "scalar", ~ for null.
std::string describe(const YAML::Node& n, int depth = 0) {
  if (depth > 8) return "...";
  if (n.IsNull()) return "~";
  if (n.IsScalar()) return '"' + n.Scalar() + '"';
  std::string out;
  if (n.IsSequence()) {
    out = "[";
    for (const auto& item : n) out += describe(item, depth + 1) + ",";
    return out + "]";
  }
  out = "{";
  for (const auto& kv : n) {
    out += describe(kv.first, depth + 1) + ":" + describe(kv.second, depth + 1) + ",";
  }
  return out + "}";
}

std::string describe(const YamlNode& n, int depth = 0) {
  if (depth > 8) return "...";
  if (!n.valid() || n.is_null()) return "~";
  if (n.is_scalar()) return '"' + std::string(n.scalar()) + '"';
  std::string out;
  if (n.is_sequence()) {
    out = "[";
    for (auto [key, item] : n) out += describe(item, depth + 1) + ",";
    return out + "]";
  }
  out = "{";
  for (auto [key, value] : n) {
    out += describe(key, depth + 1) + ":" + describe(value, depth + 1) + ",";
  }
  return out + "}";
}

void expect_same_tree_as_yaml_cpp(const std::string& text) {
  auto doc = YamlDoc::parse(text, "t.yaml");
  ASSERT_TRUE(doc.ok()) << doc.error().message() << "\n" << text;
  EXPECT_EQ(describe(doc->root()), describe(YAML::Load(text))) << text;
}

TEST(YamlDoc, GivesTheSameTreeAsYamlCppForEveryStyle) {
  const char* texts[] = {
      "a: 1\nb: two\n",
      ("lockfileVersion: '6.0'\npackages:\n  /a@1.0.0:\n    resolution: {integrity: sha512-x}\n"
       "    dev: false\n  /b@2.0.0: {}\n"),
      "list:\n  - one\n  - 'two'\n  - \"three\\tfour\"\n  - [5, six, {seven: 7}]\n",
      "empty:\nnull_word: null\ntilde: ~\nquoted_null: 'null'\nquoted_empty: ''\n",
      "literal: |\n  line one\n  line two\nfolded: >\n  folded\n  text\n",
      "# a comment\nkey: value # trailing\n? complex key\n: complex value\n",
      "anchor: &a {x: 1, y: [2, 3]}\ncopy: *a\nscalar: &s hello\nagain: *s\n",
      "first: doc\n---\nsecond: doc\n",
      "---\n- a\n- b\n...\n",
      "\"quoted key\": 1\n'single': 2\nunicode: \"\\u00e9t\\u00e9\"\n",
      "nested:\n  deeper:\n    deepest:\n      - - x\n        - y\n",
      "dup: 1\ndup: 2\n",
  };
  for (const char* t : texts) expect_same_tree_as_yaml_cpp(t);

  // A pnpm-sized document, generated.
  std::string big = "lockfileVersion: '9.0'\npackages:\n";
  for (int i = 0; i < 2000; ++i) {
    big += "  pkg-" + std::to_string(i) + "@1.0." + std::to_string(i) +
           ":\n    resolution: {integrity: sha512-" + std::to_string(i * 7) +
           "}\n    engines: {node: '>=14'}\n    dev: " + (i % 2 ? "true" : "false") + "\n";
  }
  expect_same_tree_as_yaml_cpp(big);
}

TEST(YamlDoc, LooksUpKeysAndScalars) {
  auto doc = YamlDoc::parse("a: {b: c, n: ~}\nlist: [1, 2]\n", "t.yaml");
  ASSERT_TRUE(doc.ok());
  auto root = doc->root();
  EXPECT_TRUE(root.is_mapping());
  EXPECT_EQ(root["a"].string_at("b"), "c");
  EXPECT_TRUE(root["a"]["n"].is_null());
  EXPECT_EQ(root["a"].string_at("n"), "");
  EXPECT_FALSE(root["missing"].valid());
  EXPECT_EQ(root["missing"].string_at("x"), "");
  EXPECT_TRUE(root["list"].is_sequence());
  EXPECT_EQ(root["list"].string_at("x"), "");  // not a mapping
  EXPECT_FALSE(YamlDoc::parse("", "t.yaml")->root().valid());
}

TEST(YamlDoc, AnAliasOfItsOwnAncestorCanBeWalkedToABoundedDepth) {
  auto doc = YamlDoc::parse("p: &p\n  a: *p\n", "t.yaml");
  ASSERT_TRUE(doc.ok()) << doc.error().message();
  auto p = doc->root()["p"];
  EXPECT_TRUE(p["a"]["a"]["a"].is_mapping());
}

TEST(YamlDoc, BadInputIsAnErrorNamingTheFileAndThePlace) {
  auto broken = YamlDoc::parse("a: [b,\nc: d\n", "x/pnpm-lock.yaml");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(broken.error().message().find("x/pnpm-lock.yaml: malformed YAML: "), std::string::npos)
      << broken.error().message();
  EXPECT_NE(broken.error().message().find("line "), std::string::npos);

  auto alias = YamlDoc::parse("a: *nowhere\n", "t.yaml");
  ASSERT_FALSE(alias.ok());
  EXPECT_NE(alias.error().message().find("alias *nowhere"), std::string::npos);

  auto binary = YamlDoc::parse(std::string("a: \0\xff\xfe", 6), "t.yaml");
  EXPECT_FALSE(binary.ok());
}

TEST(YamlDoc, NestingAndSizeAreBounded) {
  std::string deep(5000, '[');
  auto d = YamlDoc::parse(deep, "t.yaml", 100);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code(), ErrorCode::kLimitExceeded);
  EXPECT_NE(d.error().message().find("nested deeper than 100"), std::string::npos);

  std::string many = "[";
  for (int i = 0; i < 1000; ++i) many += "1,";
  many += "]";
  auto m = YamlDoc::parse(many, "t.yaml", 100, 500);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code(), ErrorCode::kLimitExceeded);
}

}  // namespace
}  // namespace bulwark::core
