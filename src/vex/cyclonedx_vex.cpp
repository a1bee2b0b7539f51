// CycloneDX VEX: a BOM (1.4 to 1.6) whose vulnerabilities[] carry an analysis. Facts from the
// CycloneDX JSON schema (../shared/schemas/cyclonedx/bom-1.5.schema.json): vulnerability.id,
// references[].id (the same flaw under other ids), analysis.state in impactAnalysisState,
// analysis.justification in impactAnalysisJustification, analysis.response[], detail,
// lastUpdated/firstIssued; affects[].ref names a bom-ref of this BOM or, as a BOM-Link
// ("urn:cdx:SERIAL/VERSION#BOM-REF", percent-encoded), one of another BOM.
#include <algorithm>
#include <array>
#include <map>

#include "core/json.hpp"
#include "vex/json_input.hpp"
#include "vex/vex.hpp"

namespace bulwark::vex {

using core::Error;
using core::Result;
using nlohmann::json;

namespace {

constexpr std::array kStates = {"resolved",  "resolved_with_pedigree", "exploitable",
                                "in_triage", "false_positive",         "not_affected"};
constexpr std::array kSuppressing = {"not_affected", "false_positive", "resolved",
                                     "resolved_with_pedigree"};
constexpr size_t kMaxVulnerabilities = 1'000'000;
constexpr size_t kMaxListItems = 10'000;
constexpr int kMaxComponentDepth = 32;
constexpr size_t kMaxComponents = 1'000'000;

template <size_t N>
bool one_of(const std::array<const char*, N>& set, const std::string& v) {
  return std::any_of(set.begin(), set.end(), [&](const char* s) { return v == s; });
}

// bom-ref -> purl of every component, nested ones included.
void index_components(const json& list, int depth, std::map<std::string, std::string>& out) {
  if (!list.is_array() || depth > kMaxComponentDepth) return;
  for (const auto& c : list) {
    if (!c.is_object() || out.size() >= kMaxComponents) continue;
    auto ref = core::json_string(c, "bom-ref");
    if (!ref.empty()) out.emplace(ref, core::json_string(c, "purl"));
    if (auto sub = c.find("components"); sub != c.end()) index_components(*sub, depth + 1, out);
  }
}

std::string percent_decode(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

Result<Document> parse_cyclonedx_vex(std::string_view text, std::string_view name) {
  BW_ASSIGN_OR_RETURN(auto doc, core::parse_json(text, name));
  return detail::cyclonedx_vex_from_json(doc, name);
}

Result<Document> detail::cyclonedx_vex_from_json(const json& doc, std::string_view name) {
  const std::string where(name);
  if (!doc.is_object() || core::json_string(doc, "bomFormat") != "CycloneDX")
    return Error::invalid(where + ": not a CycloneDX BOM (bomFormat is not \"CycloneDX\")");
  auto vulns = doc.find("vulnerabilities");
  if (vulns == doc.end() || !vulns->is_array())
    return Error::invalid(where + ": CycloneDX BOM has no \"vulnerabilities\" array (not a VEX)");
  if (vulns->size() > kMaxVulnerabilities)
    return Error::limit(where + ": more than " + std::to_string(kMaxVulnerabilities) +
                        " vulnerabilities");

  int64_t doc_time = 0;
  std::string subject_ref;
  std::string subject_purl;
  if (auto meta = doc.find("metadata"); meta != doc.end() && meta->is_object()) {
    if (auto t = core::json_string(*meta, "timestamp"); !t.empty()) {
      auto parsed = parse_rfc3339(t);
      if (!parsed.ok()) return parsed.error().with_context(where + ": metadata.timestamp");
      doc_time = *parsed;
    }
    if (auto c = meta->find("component"); c != meta->end() && c->is_object()) {
      subject_ref = core::json_string(*c, "bom-ref");
      subject_purl = core::json_string(*c, "purl");
    }
  }
  std::map<std::string, std::string> purl_of;
  if (auto c = doc.find("components"); c != doc.end()) index_components(*c, 0, purl_of);

  Document out;
  out.source = "cyclonedx-vex:" + where;
  int index = -1;
  for (const auto& v : *vulns) {
    ++index;
    auto skip = [&](const std::string& why) {
      out.warnings.push_back(where + ": vulnerabilities[" + std::to_string(index) +
                             "] skipped: " + why);
    };
    if (!v.is_object()) {
      skip("not a JSON object");
      continue;
    }
    Statement st;
    if (auto id = core::json_string(v, "id"); !id.empty()) st.vulnerability_ids.push_back(id);
    if (auto refs = v.find("references"); refs != v.end() && refs->is_array()) {
      for (const auto& r : *refs) {
        if (st.vulnerability_ids.size() > kMaxListItems) break;
        if (auto id = core::json_string(r, "id"); !id.empty()) st.vulnerability_ids.push_back(id);
      }
    }
    if (st.vulnerability_ids.empty()) {
      skip("no id");
      continue;
    }
    const std::string label = "(" + st.vulnerability_ids.front() + ")";
    auto analysis = v.find("analysis");
    if (analysis == v.end() || !analysis->is_object()) {
      // A plain vulnerability list (an SBOM with findings), not an exploitability statement.
      continue;
    }
    st.status = core::json_string(*analysis, "state");
    if (!one_of(kStates, st.status)) {
      skip(label + " analysis.state \"" + st.status + "\" is not a CycloneDX impact state");
      continue;
    }
    st.justification = core::json_string(*analysis, "justification");
    st.detail = core::json_string(*analysis, "detail");
    if (auto resp = analysis->find("response"); resp != analysis->end() && resp->is_array()) {
      std::string joined;
      for (const auto& r : *resp) {
        if (r.is_string()) joined += (joined.empty() ? "" : ", ") + r.get<std::string>();
      }
      if (!joined.empty())
        st.detail += (st.detail.empty() ? "response: " : " (response: ") + joined +
                     (st.detail.empty() ? "" : ")");
    }
    st.timestamp = doc_time;
    for (const char* key : {"lastUpdated", "firstIssued"}) {
      auto t = core::json_string(*analysis, key);
      if (t.empty()) continue;
      auto parsed = parse_rfc3339(t);
      if (!parsed.ok()) {
        skip(label + " analysis." + key + ": " + parsed.error().message());
        st.status.clear();
      } else {
        st.timestamp = *parsed;
      }
      break;
    }
    if (st.status.empty()) continue;
    if (auto affects = v.find("affects"); affects != v.end() && affects->is_array()) {
      for (const auto& a : *affects) {
        if (st.products.size() > kMaxListItems) break;
        std::string ref = core::json_string(a, "ref");
        if (ref.empty()) continue;
        if (ref.rfind("urn:cdx:", 0) == 0) {
          // A BOM-Link into another BOM: the fragment is the bom-ref there.
          auto hash = ref.find('#');
          if (hash == std::string::npos) {
            // A link to a whole BOM: the BOM's subject, the image.
            Product p;
            p.component.is_document_subject = true;
            st.products.push_back(std::move(p));
            continue;
          }
          ref = percent_decode(std::string_view(ref).substr(hash + 1));
        }
        Product p;
        p.component.ids.push_back(ref);
        if (auto it = purl_of.find(ref); it != purl_of.end() && !it->second.empty())
          p.component.ids.push_back(it->second);
        if (!subject_ref.empty() && ref == subject_ref) {
          p.component.is_document_subject = true;
          if (!subject_purl.empty()) p.component.ids.push_back(subject_purl);
        }
        st.products.push_back(std::move(p));
      }
    }
    if (st.products.empty()) {
      skip(label + " affects[] names no component");
      continue;
    }
    st.suppresses = one_of(kSuppressing, st.status);
    st.order = index;
    out.statements.push_back(std::move(st));
  }
  return out;
}

}  // namespace bulwark::vex
