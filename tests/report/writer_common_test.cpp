// PrettyJson against nlohmann's own dump: the CycloneDX writer mixes the two in one document,
// so every byte must agree (indentation, separators, empty containers, string escaping and the
// replacement of invalid UTF-8).
#include "report/writer_common.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace bulwark::report::detail {
namespace {

using nlohmann::ordered_json;

std::string dump(const ordered_json& j) {
  return j.dump(2, ' ', false, ordered_json::error_handler_t::replace);
}

// Writes `j` token by token (objects, arrays and strings only).
void write(const ordered_json& j, PrettyJson& w) {
  if (j.is_object()) {
    w.begin_object();
    for (const auto& [k, v] : j.items()) {
      w.key(k);
      write(v, w);
    }
    w.end_object();
  } else if (j.is_array()) {
    w.begin_array();
    for (const auto& v : j) write(v, w);
    w.end_array();
  } else {
    w.string(j.get_ref<const std::string&>());
  }
}

std::string pretty(const ordered_json& j, size_t indent = 0) {
  std::string out;
  PrettyJson w(out, indent);
  write(j, w);
  return out;
}

const std::vector<std::string> kAwkwardStrings = {
    "",
    "plain ascii / with slash",
    "quote \" and backslash \\",
    "only a back\\slash",
    "only a \"quote\"",
    "controls \b\f\n\r\t and \x01\x1f",
    std::string("nul \0 inside", 12),
    "delete \x7f kept",
    "UTF-8 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
    "invalid \xff\xfe lead bytes",
    "truncated \xe2\x82",
    "overlong \xc0\xaf and surrogate \xed\xa0\x80",
    "escape \x1b[31m red",
};

TEST(PrettyJson, StringsAreEscapedAsNlohmannEscapesThem) {
  for (const auto& s : kAwkwardStrings) {
    ordered_json j = s;
    EXPECT_EQ(pretty(j), dump(j)) << s;
  }
}

TEST(PrettyJson, NestedContainersMatchNlohmannsIndentation) {
  ordered_json j = ordered_json::object();
  j["empty object"] = ordered_json::object();
  j["empty array"] = ordered_json::array();
  j["strings"] = ordered_json::array();
  for (const auto& s : kAwkwardStrings) j["strings"].push_back(s);
  j["objects"] = ordered_json::array();
  for (const auto& s : kAwkwardStrings) {
    ordered_json o;
    o[s + " key"] = s;
    o["nested"] = {{"deeper", ordered_json::array({ordered_json::object(), "x"})}};
    j["objects"].push_back(o);
  }
  EXPECT_EQ(pretty(j), dump(j));
  EXPECT_EQ(pretty(ordered_json::object()), "{}");
  EXPECT_EQ(pretty(ordered_json::array()), "[]");
}

TEST(PrettyJson, IndentedValueReadsAsAnElementOfATopLevelMembersArray) {
  ordered_json element = {
      {"type", "library"}, {"name", "x\ty"}, {"list", ordered_json::array({{{"a", "b"}}, "c"})}};
  ordered_json doc;
  doc["components"] = ordered_json::array({element});
  std::string whole = dump(doc);
  std::string prefix = "{\n  \"components\": [\n    ";
  std::string suffix = "\n  ]\n}";
  ASSERT_EQ(whole.substr(0, prefix.size()), prefix);
  ASSERT_EQ(whole.substr(whole.size() - suffix.size()), suffix);
  EXPECT_EQ(pretty(element, 4),
            whole.substr(prefix.size(), whole.size() - prefix.size() - suffix.size()));
}

TEST(ContentUuid, TwoStepsGiveWhatTheOneStepDumpGives) {
  ordered_json doc;
  doc["id"] = "";
  doc["data"] = ordered_json::array({"a", "b"});
  ordered_json copy = doc;
  std::string one = dump_with_content_uuid(doc, "id", "urn:uuid:");
  copy["id"] = content_uuid_placeholder("urn:uuid:");
  std::string two = set_content_uuid(dump_ordered(copy), "urn:uuid:");
  EXPECT_EQ(one, two);
  EXPECT_EQ(one.find("00000000-0000"), std::string::npos);
  EXPECT_EQ(ordered_json::parse(one)["id"].get<std::string>().size(),
            std::string("urn:uuid:").size() + 36);
}

}  // namespace
}  // namespace bulwark::report::detail
