// SPDX 2.3 JSON (https://spdx.github.io/spdx-spec/v2.3/). The document DESCRIBES the image,
// which CONTAINS the OS and every installed package. Packages a later layer removed are left
// out, as in the CycloneDX writer.
#include <cctype>
#include <map>
#include <set>

#include "core/digest.hpp"
#include "report/licenses.hpp"
#include "report/report.hpp"
#include "report/writer_common.hpp"

namespace bulwark::report {
namespace {

using nlohmann::ordered_json;

constexpr std::string_view kNoAssertion = "NOASSERTION";
constexpr std::string_view kDocumentId = "SPDXRef-DOCUMENT";
constexpr std::string_view kImageId = "SPDXRef-Image";
constexpr std::string_view kOsId = "SPDXRef-OperatingSystem";
// SPDX wants a unique URI per document, not a resolvable one; bulwark has no web site to
// name, so the reserved .invalid domain says plainly that nothing is served there.
constexpr std::string_view kNamespaceBase = "https://bulwark.invalid/spdx/";
// Stands in when the Report carries no usable time: creationInfo.created is required.
constexpr std::string_view kEpoch = "1970-01-01T00:00:00Z";

// SPDX element ids and document-name paths allow [A-Za-z0-9.-] only.
std::string idstring(std::string_view s) {
  std::string out;
  for (char c : s) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.';
    out.push_back(ok ? c : '-');
  }
  return out;
}

// SPDX 2.3 writes "YYYY-MM-DDThh:mm:ssZ": drop fractional seconds from an RFC 3339 UTC time.
std::string spdx_timestamp(std::string_view created) {
  auto digits = [&](size_t from, size_t n) {
    for (size_t i = from; i < from + n; ++i) {
      if (i >= created.size() || std::isdigit(static_cast<unsigned char>(created[i])) == 0) {
        return false;
      }
    }
    return true;
  };
  bool shape = created.size() >= 20 && digits(0, 4) && created[4] == '-' && digits(5, 2) &&
               created[7] == '-' && digits(8, 2) && created[10] == 'T' && digits(11, 2) &&
               created[13] == ':' && digits(14, 2) && created[16] == ':' && digits(17, 2) &&
               created.back() == 'Z';
  if (!shape) return std::string(kEpoch);
  std::string_view tail = created.substr(19);  // "Z" or ".123Z"
  if (tail != "Z" && !(tail.front() == '.' && tail.size() > 2 && digits(20, tail.size() - 2))) {
    return std::string(kEpoch);
  }
  return std::string(created.substr(0, 19)) + "Z";
}

// Unique, stable SPDXIDs: readable ecosystem and name plus a hash of everything that tells
// packages apart, and a counter for exact duplicates.
std::vector<std::string> package_ids(const std::vector<const core::Package*>& packages) {
  std::vector<std::string> ids;
  std::set<std::string> used;
  for (const auto* p : packages) {
    std::string id = "SPDXRef-Package-" + idstring(p->ecosystem) + "-" + idstring(p->name) + "-" +
                     core::Sha256::hex_of(detail::package_identity_key(*p)).substr(0, 16);
    std::string unique = id;
    for (int n = 2; !used.insert(unique).second; ++n) unique = id + "-" + std::to_string(n);
    ids.push_back(std::move(unique));
  }
  return ids;
}

// Declared licenses as one SPDX expression; free-text names become LicenseRef- ids whose
// declared text goes into `extracted` (hasExtractedLicensingInfos). The joint expression uses
// AND: the package is under all the licenses its metadata lists.
std::string declared_expression(const core::Package& p,
                                std::map<std::string, std::string>& extracted) {
  const auto declared = detail::unique_licenses(p);
  if (declared.empty()) return std::string(kNoAssertion);
  std::vector<std::string> parts;
  for (const auto& d : declared) {
    detail::LicenseChoice c = detail::classify_license(d);
    if (c.kind == detail::LicenseChoice::Kind::kName) {
      std::string ref = detail::license_ref_for(c.text);
      extracted.emplace(ref, c.text);
      parts.push_back(std::move(ref));
    } else {
      for (const auto& ref : c.license_refs) extracted.emplace(ref, d);
      parts.push_back(std::move(c.text));
    }
  }
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty()) out += " AND ";
    bool compound = parts.size() > 1 && part.find(' ') != std::string::npos;
    out += compound ? "(" + part + ")" : part;
  }
  return out;
}

std::string source_info(const core::Package& p) {
  std::string info;
  for (const auto& loc : p.locations) {
    if (!info.empty()) info += "; ";
    info += "found at " + loc.path;
    if (loc.layer_index >= 0) {
      info += " in layer " + std::to_string(loc.layer_index);
      if (!loc.layer_digest.empty()) info += " (" + loc.layer_digest + ")";
    }
  }
  if (!p.source_name.empty()) {
    if (!info.empty()) info += "; ";
    info += "built from source package " + p.source_name;
    if (!p.source_version.empty()) info += " " + p.source_version;
  }
  return info;
}

ordered_json relationship(std::string_view from, std::string_view type, std::string_view to) {
  return {{"spdxElementId", from}, {"relationshipType", type}, {"relatedSpdxElement", to}};
}

}  // namespace

std::string write_spdx(const Report& r) {
  const auto packages = detail::sorted_packages(r.packages);
  const auto ids = package_ids(packages);
  const std::string name = detail::image_name(r.target);

  ordered_json doc;
  doc["spdxVersion"] = "SPDX-2.3";
  doc["dataLicense"] = "CC0-1.0";
  doc["SPDXID"] = kDocumentId;
  doc["name"] = name;
  doc["documentNamespace"] = "";  // filled in last, from the rest of the document
  doc["creationInfo"] = {
      {"created", spdx_timestamp(r.created)},
      {"creators", ordered_json::array({"Tool: bulwark-" + detail::scanner_version(r)})},
      {"licenseListVersion", detail::kSpdxLicenseListVersion},
  };

  ordered_json out_packages = ordered_json::array();
  ordered_json image;
  image["name"] = name;
  image["SPDXID"] = kImageId;
  if (auto v = detail::image_version(r.target); !v.empty()) image["versionInfo"] = v;
  image["downloadLocation"] = kNoAssertion;
  image["filesAnalyzed"] = false;
  if (r.target.manifest_digest.rfind("sha256:", 0) == 0) {
    image["checksums"] = ordered_json::array(
        {{{"algorithm", "SHA256"}, {"checksumValue", r.target.manifest_digest.substr(7)}}});
  }
  std::string image_comment;
  auto add_fact = [&image_comment](std::string_view label, std::string_view value) {
    if (value.empty()) return;
    if (!image_comment.empty()) image_comment += "; ";
    image_comment += std::string(label) + ": " + std::string(value);
  };
  add_fact("input", r.target.input);
  add_fact("source", r.target.source);
  add_fact("platform", r.target.platform);
  add_fact("config", r.target.config_digest);
  for (const auto& layer : r.target.layers) {
    add_fact("layer " + std::to_string(layer.index),
             layer.digest.empty() ? layer.diff_id : layer.digest);
  }
  if (!image_comment.empty()) image["comment"] = image_comment;
  image["primaryPackagePurpose"] = "CONTAINER";
  out_packages.push_back(std::move(image));

  if (!r.os.empty()) {
    ordered_json os;
    os["name"] = r.os.id;
    os["SPDXID"] = kOsId;
    if (!r.os.version_id.empty()) os["versionInfo"] = r.os.version_id;
    os["downloadLocation"] = kNoAssertion;
    os["filesAnalyzed"] = false;
    if (!r.os.evidence_path.empty()) os["sourceInfo"] = "found at " + r.os.evidence_path;
    if (!r.os.pretty_name.empty()) os["description"] = r.os.pretty_name;
    os["primaryPackagePurpose"] = "OPERATING_SYSTEM";
    out_packages.push_back(std::move(os));
  }

  std::map<std::string, std::string> extracted;  // LicenseRef id -> declared text, sorted
  for (size_t i = 0; i < packages.size(); ++i) {
    const core::Package& p = *packages[i];
    ordered_json pkg;
    pkg["name"] = p.name.empty() ? std::string(kNoAssertion) : p.name;
    pkg["SPDXID"] = ids[i];
    if (!p.version.empty()) pkg["versionInfo"] = p.version;
    pkg["downloadLocation"] = kNoAssertion;
    pkg["filesAnalyzed"] = false;
    if (auto info = source_info(p); !info.empty()) pkg["sourceInfo"] = info;
    // Concluded is what an analyst decided; bulwark only reads what the package declares.
    pkg["licenseConcluded"] = kNoAssertion;
    pkg["licenseDeclared"] = declared_expression(p, extracted);
    pkg["copyrightText"] = kNoAssertion;
    if (!p.purl.empty()) {
      pkg["externalRefs"] = ordered_json::array({{{"referenceCategory", "PACKAGE-MANAGER"},
                                                  {"referenceType", "purl"},
                                                  {"referenceLocator", p.purl}}});
    }
    out_packages.push_back(std::move(pkg));
  }
  doc["packages"] = std::move(out_packages);

  if (!extracted.empty()) {
    ordered_json infos = ordered_json::array();
    for (const auto& [ref, text] : extracted) {
      // The package database gives a license's name, not its text; the name is the only
      // extracted text there is, and the comment says so.
      infos.push_back({{"licenseId", ref},
                       {"name", text},
                       {"extractedText", text},
                       {"comment", "declared by the package metadata; full text not collected"}});
    }
    doc["hasExtractedLicensingInfos"] = std::move(infos);
  }

  ordered_json rels = ordered_json::array();
  rels.push_back(relationship(kDocumentId, "DESCRIBES", kImageId));
  if (!r.os.empty()) rels.push_back(relationship(kImageId, "CONTAINS", kOsId));
  for (const auto& id : ids) rels.push_back(relationship(kImageId, "CONTAINS", id));
  doc["relationships"] = std::move(rels);

  return detail::dump_with_content_uuid(doc, "documentNamespace",
                                        std::string(kNamespaceBase) + idstring(name) + "-");
}

}  // namespace bulwark::report
