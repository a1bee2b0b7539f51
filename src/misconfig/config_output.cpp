#include "misconfig/config_output.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/json.hpp"

namespace bulwark::misconfig {

namespace {

// Bytes from the checked files may hold terminal escapes: control characters and the bidi
// override/isolate code points (U+202A-202E, U+2066-2069) and invalid UTF-8 bytes are shown as
// \x escapes; other valid UTF-8 passes through (see printable below).

// Length of the valid UTF-8 sequence at s[i], or 0.
size_t utf8_length(std::string_view s, size_t i) {
  auto b = static_cast<unsigned char>(s[i]);
  size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xe ? 3 : (b >> 3) == 0x1e ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return 0;
  }
  return len;
}

std::string printable(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    auto b = static_cast<unsigned char>(s[i]);
    size_t len = utf8_length(s, i);
    if (len == 1 && b >= 0x20 && b != 0x7f) {
      out += static_cast<char>(b);
      continue;
    }
    if (len <= 1) {
      out += fmt::format("\\x{:02x}", b);
      continue;
    }
    auto c1 = static_cast<unsigned char>(s[i + 1]);
    auto c2 = len > 2 ? static_cast<unsigned char>(s[i + 2]) : 0;
    bool bidi = b == 0xe2 && ((c1 == 0x80 && c2 >= 0xaa && c2 <= 0xae) ||
                              (c1 == 0x81 && c2 >= 0xa6 && c2 <= 0xa9));
    for (size_t k = 0; k < len; ++k) {
      if (bidi) {
        out += fmt::format("\\x{:02x}", static_cast<unsigned char>(s[i + k]));
      } else {
        out += s[i + k];
      }
    }
    i += len - 1;
  }
  return out;
}

std::string location(const Issue& i) {
  std::string s = i.file;
  if (i.line > 0) s += ":" + std::to_string(i.line);
  return s;
}

}  // namespace

std::string write_config_table(const ConfigResult& r, const std::optional<PssVerdict>& pss) {
  std::string out;
  size_t w_loc = 8, w_id = 2, w_sev = 8;
  for (const auto& i : r.issues) {
    w_loc = std::max(w_loc, printable(location(i)).size());
    w_id = std::max(w_id, i.rule->id.size());
  }
  w_loc = std::min<size_t>(w_loc, 60);
  if (!r.issues.empty()) {
    out += fmt::format("{:<{}}  {:<{}}  {:<{}}  {}\n", "LOCATION", w_loc, "ID", w_id, "SEVERITY",
                       w_sev, "TITLE / DETAIL");
  }
  for (const auto& i : r.issues) {
    std::string title(i.rule->title);
    if (i.rule->pss_level != PssLevel::kNone)
      title += " (PSS " + std::string(pss_level_name(i.rule->pss_level)) + ")";
    out += fmt::format("{:<{}}  {:<{}}  {:<{}}  {}\n", printable(location(i)), w_loc, i.rule->id,
                       w_id, report::severity_name(i.rule->severity), w_sev, title);
    std::string detail = printable(i.message);
    if (!i.path.empty()) detail += "  [" + printable(i.path) + "]";
    out += fmt::format("{:<{}}  {}\n", "", w_loc + w_id + w_sev + 4, detail);
  }
  std::array<size_t, 6> counts{};
  for (const auto& i : r.issues) ++counts[static_cast<size_t>(i.rule->severity)];
  out += fmt::format("{} file(s) checked, {} finding(s): {} critical, {} high, {} medium, {} low\n",
                     r.files.size(), r.issues.size(),
                     counts[static_cast<size_t>(report::Severity::kCritical)],
                     counts[static_cast<size_t>(report::Severity::kHigh)],
                     counts[static_cast<size_t>(report::Severity::kMedium)],
                     counts[static_cast<size_t>(report::Severity::kLow)]);
  if (pss) {
    out += fmt::format("Pod Security Standards {}: {}\n", pss_level_name(pss->level),
                       pss->admitted ? "admitted" : "NOT admitted");
  }
  return out;
}

std::string write_config_json(const ConfigResult& r, const std::optional<PssVerdict>& pss) {
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const auto& f : r.files)
    files.push_back({{"path", f.path}, {"type", config_type_name(f.type)}});
  nlohmann::ordered_json findings = nlohmann::ordered_json::array();
  for (const auto& i : r.issues) {
    nlohmann::ordered_json j = {{"id", i.rule->id},
                                {"title", i.rule->title},
                                {"severity", report::severity_name(i.rule->severity)},
                                {"type", config_type_name(i.rule->type)},
                                {"file", i.file},
                                {"line", i.line},
                                {"document", i.document},
                                {"path", i.path},
                                {"message", i.message},
                                {"fix", i.rule->fix}};
    if (i.rule->pss_level != PssLevel::kNone) {
      j["pss"] = {{"control", i.rule->title}, {"level", pss_level_name(i.rule->pss_level)}};
    }
    findings.push_back(std::move(j));
  }
  nlohmann::ordered_json doc = {{"files", std::move(files)}, {"findings", std::move(findings)}};
  if (pss) doc["pss"] = {{"level", pss_level_name(pss->level)}, {"admitted", pss->admitted}};
  doc["warnings"] = r.warnings;
  return doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

report::Report to_report(const ConfigResult& r, const std::string& input) {
  report::Report rep;
  rep.target.input = input;
  rep.target.source = "config";
  for (const auto& i : r.issues) rep.findings.push_back(to_finding(i));
  rep.warnings = r.warnings;
  return rep;
}

}  // namespace bulwark::misconfig
