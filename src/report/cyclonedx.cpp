// CycloneDX 1.5 JSON (https://cyclonedx.org/docs/1.5/json/). The image is metadata.component;
// the OS and every installed package are components. Packages a later layer removed are left
// out: an SBOM lists what the image contains, and the native JSON report keeps them.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <thread>

#include "core/cpus.hpp"
#include "core/digest.hpp"
#include "report/licenses.hpp"
#include "report/report.hpp"
#include "report/writer_common.hpp"

namespace bulwark::report {
namespace {

using nlohmann::ordered_json;

constexpr std::string_view kSpecVersion = "1.5";

void add_property(ordered_json& props, std::string_view name, std::string_view value) {
  if (value.empty()) return;
  props.push_back({{"name", name}, {"value", value}});
}

ordered_json properties_of(const Target& t) {
  ordered_json props = ordered_json::array();
  add_property(props, "bulwark:image:input", t.input);
  add_property(props, "bulwark:image:source", t.source);
  add_property(props, "bulwark:image:platform", t.platform);
  add_property(props, "bulwark:image:manifest-digest", t.manifest_digest);
  add_property(props, "bulwark:image:config-digest", t.config_digest);
  // One entry per layer in index order (CycloneDX allows repeated names), so a package's
  // bulwark:layer:index points at the n-th of these.
  for (const auto& layer : t.layers) {
    add_property(props, "bulwark:image:layer:digest", layer.digest.empty() ? "-" : layer.digest);
  }
  for (const auto& layer : t.layers) {
    add_property(props, "bulwark:image:layer:diff-id", layer.diff_id.empty() ? "-" : layer.diff_id);
  }
  return props;
}

// "EITHER a list of licenses (each an SPDX id or a name) OR exactly one expression", as the
// schema's licenseChoice says. Several declared licenses that include an expression become
// one expression joined by AND, which is what a package under all of them means; if one of
// them is not valid SPDX, everything goes in as named licenses so nothing is lost.
void write_licenses(const core::Package& p, detail::PrettyJson& w) {
  const std::vector<std::string> declared = detail::unique_licenses(p);
  std::vector<detail::LicenseChoice> choices;
  bool any_expression = false;
  bool any_name = false;
  for (const auto& d : declared) {
    choices.push_back(detail::classify_license(d));
    any_expression |= choices.back().kind == detail::LicenseChoice::Kind::kExpression;
    any_name |= choices.back().kind == detail::LicenseChoice::Kind::kName;
  }
  if (declared.empty()) return;
  w.key("licenses");
  w.begin_array();
  if (any_expression && !any_name) {
    std::string expression;
    for (const auto& c : choices) {
      if (!expression.empty()) expression += " AND ";
      bool compound = choices.size() > 1 && c.text.find(' ') != std::string::npos;
      expression += compound ? "(" + c.text + ")" : c.text;
    }
    w.begin_object();
    w.member("expression", expression);
    w.end_object();
    w.end_array();
    return;
  }
  for (size_t i = 0; i < choices.size(); ++i) {
    w.begin_object();
    w.key("license");
    w.begin_object();
    if (choices[i].kind == detail::LicenseChoice::Kind::kId) {
      w.member("id", choices[i].text);
    } else {
      w.member("name", choices[i].kind == detail::LicenseChoice::Kind::kName ? choices[i].text
                                                                             : declared[i]);
    }
    w.end_object();
    w.end_object();
  }
  w.end_array();
}

// A component's "properties", opened at the first non-empty value (none: no member at all).
class PropertyWriter {
 public:
  explicit PropertyWriter(detail::PrettyJson& w) : w_(w) {}
  PropertyWriter(const PropertyWriter&) = delete;
  PropertyWriter& operator=(const PropertyWriter&) = delete;
  ~PropertyWriter() {
    if (open_) w_.end_array();
  }
  void add(std::string_view name, std::string_view value) {
    if (value.empty()) return;
    if (!open_) {
      w_.key("properties");
      w_.begin_array();
      open_ = true;
    }
    w_.begin_object();
    w_.member("name", name);
    w_.member("value", value);
    w_.end_object();
  }

 private:
  detail::PrettyJson& w_;
  bool open_ = false;
};

void write_properties(const core::Package& p, detail::PrettyJson& w) {
  PropertyWriter props(w);
  for (const auto& loc : p.locations) {
    props.add("bulwark:location:path", loc.path);
    if (loc.layer_index >= 0) {
      props.add("bulwark:layer:index", std::to_string(loc.layer_index));
    }
    props.add("bulwark:layer:digest", loc.layer_digest);
  }
  props.add("bulwark:package:ecosystem", p.ecosystem);
  props.add("bulwark:package:architecture", p.architecture);
  props.add("bulwark:package:source-name", p.source_name);
  props.add("bulwark:package:source-version", p.source_version);
  if (const auto* m = std::get_if<core::DpkgMetadata>(&p.metadata)) {
    props.add("bulwark:dpkg:maintainer", m->maintainer);
    props.add("bulwark:dpkg:status", m->status);
    if (m->installed_size_kib > 0) {
      props.add("bulwark:dpkg:installed-size-kib", std::to_string(m->installed_size_kib));
    }
  } else if (const auto* a = std::get_if<core::ApkMetadata>(&p.metadata)) {
    props.add("bulwark:apk:origin", a->origin);
    props.add("bulwark:apk:commit", a->commit);
    props.add("bulwark:apk:maintainer", a->maintainer);
    props.add("bulwark:apk:checksum", a->checksum);
  } else if (const auto* r = std::get_if<core::RpmMetadata>(&p.metadata)) {
    if (r->epoch) props.add("bulwark:rpm:epoch", std::to_string(*r->epoch));
    props.add("bulwark:rpm:release", r->release);
    props.add("bulwark:rpm:source-rpm", r->source_rpm);
    props.add("bulwark:rpm:modularity-label", r->modularity_label);
    props.add("bulwark:rpm:vendor", r->vendor);
    props.add("bulwark:rpm:db-format", r->db_format);
  } else if (const auto* l = std::get_if<core::LanguageMetadata>(&p.metadata)) {
    if (l->dev) props.add("bulwark:lock:dev", "true");
    if (l->optional) props.add("bulwark:lock:optional", "true");
    props.add("bulwark:lock:resolved", l->resolved);
    props.add("bulwark:lock:integrity", l->integrity);
  } else if (const auto* g = std::get_if<core::GoMetadata>(&p.metadata)) {
    props.add("bulwark:go:module", g->main_module       ? "main"
                                   : p.name == "stdlib" ? "stdlib"
                                                        : "dependency");
    props.add("bulwark:go:toolchain", g->go_version);
    props.add("bulwark:go:main-path", g->main_path);
    props.add("bulwark:go:sum", g->sum);
    for (const auto& [k, v] : g->build_settings) props.add("bulwark:go:build:" + k, v);
  }
}

// A package's component, as an element of the document's "components" array.
void write_component(const core::Package& p, const std::string& ref, detail::PrettyJson& w) {
  w.begin_object();
  // "library" for distribution packages too: CycloneDX recommends it when nothing more
  // specific fits, and it is what consumers matching vulnerabilities by purl expect.
  w.member("type", "library");
  w.member("bom-ref", ref);
  w.member("name", p.name);
  if (!p.version.empty()) w.member("version", p.version);
  write_licenses(p, w);
  if (!p.purl.empty()) w.member("purl", p.purl);
  if (!p.locations.empty()) {
    w.key("evidence");
    w.begin_object();
    w.key("occurrences");
    w.begin_array();
    for (const auto& loc : p.locations) {
      w.begin_object();
      w.member("location", loc.path);
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  write_properties(p, w);
  w.end_object();
}

// Stands for the packages' components in the document while it is dumped: an element of
// "components", which the packages' text then replaces.
constexpr std::string_view kComponentsMarker = "bulwark:components";
constexpr std::string_view kSerialPrefix = "urn:uuid:";

// Packages [begin, end) as the text of consecutive array elements.
std::string components_text(const std::vector<const core::Package*>& packages,
                            const std::vector<std::string>& refs, size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < end; ++i) {
    if (i != begin) out += ",\n    ";
    detail::PrettyJson w(out, 4);  // elements of a top-level member's array
    write_component(*packages[i], refs[i], w);
  }
  return out;
}

// The packages' components in document order, in up to two parts: the first half on a second
// thread when there are enough to be worth one (both only read the report).
std::vector<std::string> component_texts(const std::vector<const core::Package*>& packages,
                                         const std::vector<std::string>& refs) {
  constexpr size_t kMinForThread = 64;
  std::vector<std::string> parts;
  if (packages.empty()) return parts;
  // Two halves on two threads, where there is a second CPU to run the other on.
  size_t half =
      packages.size() >= kMinForThread && core::available_cpus() > 1 ? packages.size() / 2 : 0;
  std::string first;
  std::optional<std::jthread> helper;
  if (half > 0) {
    try {
      helper.emplace([&] { first = components_text(packages, refs, 0, half); });
    } catch (const std::system_error&) {
      half = 0;  // no thread: this one writes them all
    }
  }
  std::string second = components_text(packages, refs, half, packages.size());
  helper.reset();  // joins
  if (half > 0) parts.push_back(std::move(first));
  parts.push_back(std::move(second));
  return parts;
}

// Replaces the marker element in the dumped document with the packages' components. The
// pattern holds raw newlines, which only the document's structure writes (strings carry theirs
// escaped), and the marker's indentation and closing bracket make it the last element of the
// top-level "components": no string from the image can imitate it.
void splice_components(std::string& text, const std::vector<std::string>& parts) {
  if (parts.empty()) return;
  const std::string quoted = "\"" + std::string(kComponentsMarker) + "\"";
  const std::string pattern = "\n    " + quoted + "\n  ]";
  auto at = text.find(pattern, text.find("\n  \"components\": [\n"));
  if (at == std::string::npos) return;
  constexpr std::string_view kBetween = ",\n    ";
  const size_t start = at + 5;  // the marker's opening quote
  size_t size = text.size() - quoted.size() + kBetween.size() * (parts.size() - 1);
  for (const auto& part : parts) size += part.size();
  std::string out;
  out.reserve(size);
  out.append(text, 0, start);
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += kBetween;
    out += parts[i];
  }
  out.append(text, start + quoted.size());
  text = std::move(out);
}

// bom-refs must be unique in the document. The purl is the natural one; packages that share
// a purl (the same npm package installed in two directories) get a suffix derived from what
// tells them apart, and truly identical entries a counter.
std::vector<std::string> bom_refs(const std::vector<const core::Package*>& packages) {
  std::map<std::string, int> base_count;
  std::vector<std::string> bases;
  for (const auto* p : packages) {
    std::string base =
        !p->purl.empty() ? p->purl : "bulwark:" + p->ecosystem + "/" + p->name + "@" + p->version;
    ++base_count[base];
    bases.push_back(std::move(base));
  }
  std::vector<std::string> refs;
  std::set<std::string> used;
  for (size_t i = 0; i < packages.size(); ++i) {
    std::string ref = bases[i];
    if (base_count[ref] > 1) {
      ref += (ref.find('?') == std::string::npos ? "?" : "&");
      ref += "package-id=" +
             core::Sha256::hex_of(detail::package_identity_key(*packages[i])).substr(0, 16);
    }
    std::string unique = ref;
    for (int n = 2; !used.insert(unique).second; ++n) unique = ref + "-" + std::to_string(n);
    refs.push_back(std::move(unique));
  }
  return refs;
}

// Where an advisory id is documented, by its prefix; "" when bulwark knows no page for it.
std::pair<std::string, std::string> advisory_source(const std::string& id) {
  if (id.starts_with("CVE-")) return {"NVD", "https://nvd.nist.gov/vuln/detail/" + id};
  if (id.starts_with("GHSA-")) return {"GitHub Advisories", "https://github.com/advisories/" + id};
  if (id.starts_with("GO-")) return {"Go Vulnerability Database", "https://pkg.go.dev/vuln/" + id};
  if (id.starts_with("DSA-") || id.starts_with("DLA-"))
    return {"Debian Security Tracker", "https://security-tracker.debian.org/tracker/" + id};
  if (id.starts_with("USN-"))
    return {"Ubuntu Security Notices", "https://ubuntu.com/security/notices/" + id};
  if (id.starts_with("NSWG-ECO-"))
    return {"Node.js Security WG",
            "https://github.com/nodejs/security-wg/blob/main/vuln/npm/" + id.substr(9) + ".json"};
  if (id.starts_with("PYSEC-") || id.starts_with("RUSTSEC-") || id.starts_with("MAL-"))
    return {"OSV", "https://osv.dev/vulnerability/" + id};
  return {"", ""};
}

ordered_json source_json(const std::string& id) {
  auto [name, url] = advisory_source(id);
  ordered_json j = ordered_json::object();
  if (!name.empty()) j["name"] = name;
  if (!url.empty()) j["url"] = url;
  return j;
}

// VEX / ignore status -> CycloneDX impactAnalysisState; OpenVEX justifications ->
// impactAnalysisJustification (CycloneDX 1.5 "vulnerabilities[].analysis").
ordered_json analysis_json(const Suppression& s) {
  ordered_json a = ordered_json::object();
  if (s.status == "not_affected") {
    a["state"] = "not_affected";
  } else if (s.status == "fixed" || s.status == "resolved") {
    a["state"] = "resolved";
  } else if (s.status == "false_positive") {
    a["state"] = "false_positive";
  } else if (s.status == "under_investigation" || s.status == "in_triage") {
    a["state"] = "in_triage";
  } else {
    // An ignore-file entry (or "affected"): known and accepted, not disputed.
    a["state"] = "exploitable";
    a["response"] = ordered_json::array({"will_not_fix"});
  }
  static const std::map<std::string, std::string> kJustification = {
      {"component_not_present", "code_not_present"},
      {"vulnerable_code_not_present", "code_not_present"},
      {"vulnerable_code_not_in_execute_path", "code_not_reachable"},
      {"vulnerable_code_cannot_be_controlled_by_adversary", "protected_by_mitigating_control"},
      {"inline_mitigations_already_exist", "protected_by_mitigating_control"},
      {"code_not_present", "code_not_present"},
      {"code_not_reachable", "code_not_reachable"},
      {"requires_configuration", "requires_configuration"},
      {"requires_dependency", "requires_dependency"},
      {"requires_environment", "requires_environment"},
      {"protected_by_compiler", "protected_by_compiler"},
      {"protected_at_runtime", "protected_at_runtime"},
      {"protected_at_perimeter", "protected_at_perimeter"},
      {"protected_by_mitigating_control", "protected_by_mitigating_control"}};
  if (auto it = kJustification.find(s.justification); it != kJustification.end())
    a["justification"] = it->second;
  std::string detail = s.source;
  if (!s.reason.empty()) detail += ": " + s.reason;
  if (!s.expires.empty()) detail += " (until " + s.expires + ")";
  if (!detail.empty()) a["detail"] = detail;
  return a;
}

// CycloneDX 1.5 `vulnerabilities`: one entry per vulnerability finding, affecting the
// component whose purl is the finding's target.
ordered_json vulnerabilities_json(const Report& r,
                                  const std::vector<const core::Package*>& packages,
                                  const std::vector<std::string>& refs) {
  std::map<std::string, std::string> ref_of;  // purl -> first bom-ref
  for (size_t i = 0; i < packages.size(); ++i) ref_of.emplace(packages[i]->purl, refs[i]);
  ordered_json out = ordered_json::array();
  std::set<std::string> used;
  for (const auto* f : detail::sorted_findings(r.findings)) {
    if (f->kind != "vulnerability" || !f->vulnerability) continue;
    const auto& v = *f->vulnerability;
    auto ref = ref_of.find(f->target);
    if (ref == ref_of.end()) continue;  // not a component of this document
    ordered_json j;
    std::string bom_ref = "vuln:" + f->id + ":" + ref->second;
    for (int n = 2; !used.insert(bom_ref).second; ++n)
      bom_ref = "vuln:" + f->id + ":" + ref->second + "-" + std::to_string(n);
    j["bom-ref"] = bom_ref;
    j["id"] = f->id;
    if (auto src = source_json(f->id); !src.empty()) j["source"] = src;
    if (!v.aliases.empty()) {
      ordered_json refs_json = ordered_json::array();
      for (const auto& a : v.aliases) refs_json.push_back({{"id", a}, {"source", source_json(a)}});
      j["references"] = refs_json;
    }
    ordered_json rating = ordered_json::object();
    if (v.cvss_v3_score) {
      rating["score"] = *v.cvss_v3_score;
      rating["severity"] = severity_name(f->severity);
      rating["method"] = v.cvss_v3_vector.starts_with("CVSS:3.1") ? "CVSSv31" : "CVSSv3";
      if (!v.cvss_v3_vector.empty()) rating["vector"] = v.cvss_v3_vector;
    } else {
      rating["severity"] = severity_name(f->severity);
    }
    j["ratings"] = ordered_json::array({rating});
    if (!f->title.empty()) j["description"] = f->title;
    if (!f->fix.empty()) j["recommendation"] = f->fix;
    if (!f->references.empty()) {
      ordered_json adv = ordered_json::array();
      for (const auto& u : f->references) adv.push_back({{"url", u}});
      j["advisories"] = adv;
    }
    if (f->suppressed) {
      j["analysis"] = analysis_json(*f->suppressed);
    } else if (v.status == "fixed-per-changelog") {
      j["analysis"] = {
          {"state", "resolved"},
          {"detail", "the package changelog names it as fixed: " + v.changelog_evidence}};
    }
    ordered_json versions = ordered_json::array();
    versions.push_back({{"version", v.package_version}, {"status", "affected"}});
    for (const auto& fv : v.fixed_versions)
      versions.push_back({{"version", fv}, {"status", "unaffected"}});
    j["affects"] = ordered_json::array({{{"ref", ref->second}, {"versions", versions}}});
    ordered_json props = ordered_json::array();
    add_property(props, "bulwark:vulnerability:status", v.status);
    add_property(props, "bulwark:vulnerability:status-detail", v.status_detail);
    for (const auto& a : v.advisories) add_property(props, "bulwark:vulnerability:advisory", a);
    add_property(props, "bulwark:vulnerability:why", v.why);
    add_property(props, "bulwark:vulnerability:owner-package", v.owner_package);
    add_property(props, "bulwark:vulnerability:changelog-evidence", v.changelog_evidence);
    if (f->known_exploited) add_property(props, "bulwark:vulnerability:known-exploited", "true");
    if (!props.empty()) j["properties"] = props;
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

std::string write_cyclonedx(const Report& r) {
  const auto packages = detail::sorted_packages(r.packages);
  const auto refs = bom_refs(packages);
  const std::string image_ref = "image:" + detail::image_name(r.target);
  const std::string os_ref = r.os.empty() ? "" : "os:" + r.os.id + "@" + r.os.version_id;

  ordered_json doc;
  doc["bomFormat"] = "CycloneDX";
  doc["specVersion"] = kSpecVersion;
  doc["serialNumber"] = "";  // filled in last, from the rest of the document
  doc["version"] = 1;

  ordered_json& meta = doc["metadata"];
  if (!r.created.empty()) meta["timestamp"] = r.created;
  meta["tools"]["components"] = ordered_json::array(
      {{{"type", "application"}, {"name", "bulwark"}, {"version", detail::scanner_version(r)}}});
  ordered_json image;
  image["type"] = "container";
  image["bom-ref"] = image_ref;
  image["name"] = detail::image_name(r.target);
  if (auto v = detail::image_version(r.target); !v.empty()) image["version"] = v;
  if (r.target.manifest_digest.rfind("sha256:", 0) == 0) {
    image["hashes"] = ordered_json::array(
        {{{"alg", "SHA-256"}, {"content", r.target.manifest_digest.substr(7)}}});
  }
  if (auto props = properties_of(r.target); !props.empty()) image["properties"] = props;
  meta["component"] = std::move(image);

  ordered_json components = ordered_json::array();
  if (!r.os.empty()) {
    ordered_json os;
    os["type"] = "operating-system";
    os["bom-ref"] = os_ref;
    os["name"] = r.os.id;
    if (!r.os.version_id.empty()) os["version"] = r.os.version_id;
    if (!r.os.pretty_name.empty()) os["description"] = r.os.pretty_name;
    ordered_json props = ordered_json::array();
    add_property(props, "bulwark:os:codename", r.os.codename);
    add_property(props, "bulwark:os:id-like", r.os.id_like);
    add_property(props, "bulwark:os:evidence-path", r.os.evidence_path);
    if (!props.empty()) os["properties"] = props;
    components.push_back(std::move(os));
  }
  // The packages' components are the bulk of the document (big: 889 of them, 1.6 MB): each is
  // built and serialised on its own, half of them on a second thread, and spliced into the
  // document's text where a marker stands (see splice_components).
  auto texts = component_texts(packages, refs);
  if (!texts.empty()) components.push_back(kComponentsMarker);
  doc["components"] = std::move(components);

  // The image depends on its OS and on every package in it. Packages get no entries of their
  // own: an entry claims a package's dependencies are known (an empty one, that it has none),
  // and bulwark does not read them. Nor does it hang distribution packages off the OS
  // component: an image can hold several package databases (an rpmdb copied into a Debian
  // image), and which one the OS manages is a guess.
  ordered_json image_deps = ordered_json::array();
  if (!os_ref.empty()) image_deps.push_back(os_ref);
  for (const auto& ref : refs) image_deps.push_back(ref);
  ordered_json image_dep;
  image_dep["ref"] = image_ref;
  image_dep["dependsOn"] = std::move(image_deps);
  doc["dependencies"] = ordered_json::array();
  doc["dependencies"].push_back(std::move(image_dep));
  if (auto vulns = vulnerabilities_json(r, packages, refs); !vulns.empty())
    doc["vulnerabilities"] = std::move(vulns);

  doc["serialNumber"] = detail::content_uuid_placeholder(kSerialPrefix);
  std::string text = detail::dump_ordered(doc);
  splice_components(text, texts);
  return detail::set_content_uuid(std::move(text), kSerialPrefix);
}

}  // namespace bulwark::report
