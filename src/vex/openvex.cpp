// OpenVEX documents (github.com/openvex/spec, OPENVEX-SPEC.md, v0.2.0 and the 0.0.x drafts it
// superseded). Facts used from the spec: the document requires @context, @id, author,
// timestamp and version; a statement requires vulnerability.name and status, products may be
// given as @id and identifiers.purl, with subcomponents; the statement timestamp overrides the
// document's ("Inheritance Flow"); a not_affected statement MUST carry a justification or an
// impact_statement; status labels and justification labels are the VEX working group's.
#include <algorithm>
#include <array>

#include "core/json.hpp"
#include "core/limits.hpp"
#include "vex/json_input.hpp"
#include "vex/vex.hpp"

namespace bulwark::vex {

using core::Error;
using core::Result;
using nlohmann::json;

namespace {

constexpr std::array kStatuses = {"not_affected", "affected", "fixed", "under_investigation"};
constexpr std::array kJustifications = {
    "component_not_present", "vulnerable_code_not_present", "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary", "inline_mitigations_already_exist"};
constexpr size_t kMaxStatements = 1'000'000;
constexpr size_t kMaxIdsPerList = 10'000;

template <size_t N>
bool one_of(const std::array<const char*, N>& set, const std::string& v) {
  return std::any_of(set.begin(), set.end(), [&](const char* s) { return v == s; });
}

// A product or subcomponent: its @id and identifiers.purl (cpe identifiers are not matched).
Component component_of(const json& j) {
  Component c;
  // The 0.0.1 draft listed products as bare strings.
  if (j.is_string() && !j.get_ref<const std::string&>().empty())
    c.ids.push_back(j.get<std::string>());
  if (!j.is_object()) return c;
  if (auto id = core::json_string(j, "@id"); !id.empty()) c.ids.push_back(id);
  if (auto it = j.find("identifiers"); it != j.end() && it->is_object()) {
    if (auto purl = core::json_string(*it, "purl");
        !purl.empty() && std::find(c.ids.begin(), c.ids.end(), purl) == c.ids.end()) {
      c.ids.push_back(purl);
    }
  }
  return c;
}

}  // namespace

Result<Document> parse_openvex(std::string_view text, std::string_view name) {
  BW_ASSIGN_OR_RETURN(auto doc, core::parse_json(text, name));
  return detail::openvex_from_json(doc, name);
}

Result<Document> detail::openvex_from_json(const json& doc, std::string_view name) {
  const std::string where(name);
  if (!doc.is_object()) return Error::invalid(where + ": OpenVEX document is not a JSON object");
  auto required = [&](const char* key) -> Result<std::string> {
    auto it = doc.find(key);
    if (it == doc.end() || !it->is_string() || it->get_ref<const std::string&>().empty())
      return Error::invalid(where + ": OpenVEX document has no \"" + key + "\" string");
    return it->get<std::string>();
  };
  BW_ASSIGN_OR_RETURN(auto context, required("@context"));
  if (context.rfind("https://openvex.dev/ns", 0) != 0)
    return Error::invalid(where + ": @context \"" + context + "\" is not an OpenVEX context");
  BW_TRY(required("@id"));
  BW_TRY(required("author"));
  BW_ASSIGN_OR_RETURN(auto doc_time_text, required("timestamp"));
  auto doc_time = parse_rfc3339(doc_time_text);
  if (!doc_time.ok()) return doc_time.error().with_context(where + ": timestamp");
  auto statements = doc.find("statements");
  if (statements == doc.end() || !statements->is_array())
    return Error::invalid(where + ": OpenVEX document has no \"statements\" array");
  if (statements->size() > kMaxStatements)
    return Error::limit(where + ": more than " + std::to_string(kMaxStatements) + " statements");

  Document out;
  out.source = "openvex:" + where;
  int index = -1;
  for (const auto& s : *statements) {
    ++index;
    auto skip = [&](const std::string& why) {
      out.warnings.push_back(where + ": statement " + std::to_string(index) + " skipped: " + why);
    };
    if (!s.is_object()) {
      skip("not a JSON object");
      continue;
    }
    Statement st;
    auto vuln = s.find("vulnerability");
    if (vuln != s.end() && vuln->is_string()) {
      // The 0.0.1 draft wrote the vulnerability as a plain string.
      st.vulnerability_ids.push_back(vuln->get<std::string>());
    } else if (vuln != s.end() && vuln->is_object()) {
      if (auto n = core::json_string(*vuln, "name"); !n.empty()) st.vulnerability_ids.push_back(n);
      if (auto a = vuln->find("aliases"); a != vuln->end() && a->is_array()) {
        for (const auto& alias : *a) {
          if (st.vulnerability_ids.size() > kMaxIdsPerList) break;
          if (alias.is_string() && !alias.get_ref<const std::string&>().empty())
            st.vulnerability_ids.push_back(alias.get<std::string>());
        }
      }
    }
    if (st.vulnerability_ids.empty()) {
      skip("no vulnerability name");
      continue;
    }
    const std::string label = "(" + st.vulnerability_ids.front() + ")";
    if (auto p = s.find("products"); p != s.end() && p->is_array()) {
      for (const auto& pj : *p) {
        if (st.products.size() > kMaxIdsPerList) break;
        Product prod;
        prod.component = component_of(pj);
        if (auto sub = pj.is_object() ? pj.find("subcomponents") : pj.end();
            pj.is_object() && sub != pj.end() && sub->is_array()) {
          for (const auto& sj : *sub) {
            if (prod.subcomponents.size() > kMaxIdsPerList) break;
            auto c = component_of(sj);
            if (!c.ids.empty()) prod.subcomponents.push_back(std::move(c));
          }
        }
        if (!prod.component.ids.empty()) st.products.push_back(std::move(prod));
      }
    }
    if (st.products.empty()) {
      // The spec lets products cascade from an encapsulating document; a bare OpenVEX file
      // has none, so the statement names nothing we could match.
      skip(label + " no product with an @id or identifiers.purl");
      continue;
    }
    st.status = core::json_string(s, "status");
    if (!one_of(kStatuses, st.status)) {
      skip(label + " status \"" + st.status + "\" is not a VEX status label");
      continue;
    }
    st.justification = core::json_string(s, "justification");
    std::string impact = core::json_string(s, "impact_statement");
    if (!st.justification.empty() && !one_of(kJustifications, st.justification)) {
      skip(label + " justification \"" + st.justification + "\" is not a VEX justification label");
      continue;
    }
    if (st.status == "not_affected" && st.justification.empty() && impact.empty()) {
      skip(label + " not_affected needs a justification or an impact_statement (OpenVEX spec)");
      continue;
    }
    st.detail = st.status == "affected" ? core::json_string(s, "action_statement") : impact;
    if (st.detail.empty()) st.detail = core::json_string(s, "status_notes");
    st.timestamp = *doc_time;
    if (auto t = core::json_string(s, "timestamp"); !t.empty()) {
      auto parsed = parse_rfc3339(t);
      if (!parsed.ok()) {
        skip(label + " " + parsed.error().message());
        continue;
      }
      st.timestamp = *parsed;
    }
    st.suppresses = st.status == "not_affected" || st.status == "fixed";
    st.order = index;
    out.statements.push_back(std::move(st));
  }
  return out;
}

}  // namespace bulwark::vex
