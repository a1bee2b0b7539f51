// The ignore file (.bulwarkignore.yaml; docs/vex.md): a top-level `ignore:` list of entries
// with id, optional package / path, a required reason and an optional expiry date. Strict:
// an unknown key or a missing reason is an error naming FILE:LINE, because a typo that
// silently widened or narrowed a suppression would go unnoticed.
#include <yaml-cpp/yaml.h>

#include <array>
#include <sstream>

#include "core/yaml_text.hpp"
#include "vex/vex.hpp"

namespace bulwark::vex {

using core::Error;
using core::Result;

namespace {

constexpr size_t kMaxBytes = 8u << 20;
constexpr size_t kMaxEntries = 100'000;
constexpr int kMaxFlowDepth = 64;
constexpr std::array kKeys = {"id", "package", "path", "reason", "expires"};

std::string at(std::string_view name, const YAML::Mark& mark) {
  std::string s(name);
  if (mark.line >= 0) s += ":" + std::to_string(mark.line + 1);
  return s;
}

Result<IgnoreEntry> parse_entry(const YAML::Node& n, std::string_view name) {
  if (!n.IsMap())
    return Error::invalid(at(name, n.Mark()) +
                          ": an ignore entry must be a mapping with id and reason");
  IgnoreEntry e;
  e.line = n.Mark().line + 1;
  for (const auto& kv : n) {
    if (!kv.first.IsScalar())
      return Error::invalid(at(name, kv.first.Mark()) + ": keys must be plain strings");
    const std::string key = kv.first.Scalar();
    std::string* field = key == "id"        ? &e.id
                         : key == "package" ? &e.package
                         : key == "path"    ? &e.path
                         : key == "reason"  ? &e.reason
                         : key == "expires" ? &e.expires
                                            : nullptr;
    if (field == nullptr) {
      std::string expected;
      for (const char* k : kKeys) expected += (expected.empty() ? "" : ", ") + std::string(k);
      return Error::invalid(at(name, kv.first.Mark()) + ": unknown key \"" + key + "\" (expected " +
                            expected + ")");
    }
    if (!kv.second.IsScalar() || kv.second.Scalar().empty())
      return Error::invalid(at(name, kv.second.Mark()) + ": \"" + key +
                            "\" must be a non-empty string");
    *field = kv.second.Scalar();
  }
  if (e.id.empty()) return Error::invalid(at(name, n.Mark()) + ": entry has no \"id\"");
  if (e.reason.empty())
    return Error::invalid(at(name, n.Mark()) + ": entry for " + e.id +
                          " has no \"reason\" (required: say why it is ignored)");
  if (!e.expires.empty() && !valid_date(e.expires))
    return Error::invalid(at(name, n["expires"].Mark()) + ": expires \"" + e.expires +
                          "\" is not a date YYYY-MM-DD");
  return e;
}

}  // namespace

Result<IgnoreFile> parse_ignore_file(std::string_view text, std::string_view name) {
  BW_TRY(
      core::check_yaml_text(text, name, {.max_bytes = kMaxBytes, .max_flow_depth = kMaxFlowDepth}));
  IgnoreFile out;
  out.path = std::string(name);
  try {
    YAML::Node root = YAML::Load(std::string(text));
    if (root.IsNull()) return out;  // empty file: nothing ignored
    if (!root.IsMap())
      return Error::invalid(at(name, root.Mark()) +
                            ": expected a mapping with an \"ignore\" list at the top");
    for (const auto& kv : root) {
      if (!kv.first.IsScalar() || kv.first.Scalar() != "ignore")
        return Error::invalid(at(name, kv.first.Mark()) + ": unknown top-level key" +
                              (kv.first.IsScalar() ? " \"" + kv.first.Scalar() + "\"" : "") +
                              " (expected \"ignore\")");
    }
    const YAML::Node list = root["ignore"];
    if (list.IsNull()) return out;
    if (!list.IsSequence())
      return Error::invalid(at(name, list.Mark()) + ": \"ignore\" must be a list of entries");
    if (list.size() > kMaxEntries)
      return Error::limit(std::string(name) + ": more than " + std::to_string(kMaxEntries) +
                          " entries");
    for (const auto& item : list) {
      BW_ASSIGN_OR_RETURN(auto e, parse_entry(item, name));
      out.entries.push_back(std::move(e));
    }
  } catch (const YAML::Exception& e) {
    return Error::invalid(at(name, e.mark) + ": invalid YAML: " + e.msg);
  }
  return out;
}

}  // namespace bulwark::vex
