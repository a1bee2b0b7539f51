// Applying VEX statements and ignore entries to findings. VEX speaks about vulnerabilities in
// products: a statement applies to a vulnerability finding when one of its ids (name or alias)
// is the finding's id or one of the finding's aliases, and one of its products is the
// finding's package (purl) or the scanned image itself. Of all statements that apply, the
// latest (statement timestamp, else its document's) decides, as the OpenVEX spec's inheritance
// rules intend; ties go to the statement loaded last. Ignore entries apply to every kind.
#include <algorithm>
#include <cctype>
#include <optional>
#include <tuple>
#include <unordered_map>

#include "core/purl.hpp"
#include "vex/vex.hpp"

namespace bulwark::vex {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_purl(std::string_view s) {
  return s.rfind("pkg:", 0) == 0;
}

// "docker.io/library/nginx" -> "nginx"; "registry:5000/a/b:1" stays. Appends ":latest" when a
// reference has neither tag nor digest.
std::string normalize_reference(std::string_view ref) {
  std::string r = lower(ref);
  for (std::string_view prefix : {"docker.io/", "index.docker.io/", "registry-1.docker.io/"}) {
    if (r.rfind(prefix, 0) == 0) {
      r.erase(0, prefix.size());
      break;
    }
  }
  // Docker Hub's official images; elsewhere the first segment would be a host.
  if (r.rfind("library/", 0) == 0) r.erase(0, 8);
  size_t slash = r.rfind('/');
  size_t last = slash == std::string::npos ? 0 : slash + 1;
  if (r.find('@') == std::string::npos && r.find(':', last) == std::string::npos) r += ":latest";
  return r;
}

// Repository of a reference without tag or digest: "registry:5000/a/b:1@sha256:.." -> ".../a/b".
std::string repository_of(std::string_view ref) {
  std::string r = normalize_reference(ref);
  if (auto at = r.find('@'); at != std::string::npos) r.erase(at);
  size_t slash = r.rfind('/');
  size_t colon = r.find(':', slash == std::string::npos ? 0 : slash + 1);
  if (colon != std::string::npos) r.erase(colon);
  return r;
}

bool same_digest(std::string_view a, const ImageIdentity& image) {
  return !a.empty() && (iequals(a, image.manifest_digest) || iequals(a, image.config_digest));
}

// Does `id` name the scanned image? pkg:oci / pkg:docker purls (digest or tag as version), a
// bare digest, "name@sha256:...", bulwark's own CycloneDX bom-ref "image:REF", or a reference.
bool names_image(std::string_view id, const ImageIdentity& image) {
  if (id.empty()) return false;
  if (is_purl(id)) {
    auto p = core::PackageUrl::parse(id, core::PurlParseMode::kLenient);
    if (!p.ok() || (p->type != "oci" && p->type != "docker")) return false;
    if (p->version.rfind("sha256:", 0) == 0) return same_digest(p->version, image);
    if (image.reference.empty()) return false;
    std::string repo = repository_of(image.reference);
    std::string last = repo.substr(repo.rfind('/') == std::string::npos ? 0 : repo.rfind('/') + 1);
    std::string want = lower(p->namespace_.empty() ? p->name : p->namespace_ + "/" + p->name);
    bool name_ok =
        p->type == "oci" ? lower(p->name) == last : want == repo || repository_of(want) == repo;
    if (!name_ok) return false;
    if (p->version.empty()) return true;
    return normalize_reference(repo + ":" + p->version) == normalize_reference(image.reference);
  }
  if (id.rfind("image:", 0) == 0) id.remove_prefix(6);
  if (id.rfind("sha256:", 0) == 0) return same_digest(id, image);
  if (auto at = id.find("@sha256:"); at != std::string_view::npos)
    return same_digest(id.substr(at + 1), image);
  return !image.reference.empty() &&
         normalize_reference(id) == normalize_reference(image.reference);
}

bool component_is_image(const Component& c, const ImageIdentity& image) {
  bool has_purl = false;
  for (const auto& id : c.ids) {
    if (names_image(id, image)) return true;
    has_purl = has_purl || is_purl(id);
  }
  // A CycloneDX VEX about "this BOM's subject" without a purl: the image it was given for.
  return c.is_document_subject && !has_purl;
}

bool component_matches_purl(const Component& c, std::string_view purl) {
  return std::any_of(c.ids.begin(), c.ids.end(),
                     [&](const std::string& id) { return is_purl(id) && purl_matches(id, purl); });
}

bool component_in_image(const Component& c, const ImageIdentity& image) {
  return std::any_of(image.package_purls.begin(), image.package_purls.end(),
                     [&](const std::string& p) { return component_matches_purl(c, p); });
}

bool product_applies(const Product& p, std::string_view purl, const ImageIdentity& image) {
  bool image_product = component_is_image(p.component, image);
  if (p.subcomponents.empty())
    return image_product || (!purl.empty() && component_matches_purl(p.component, purl));
  // The vulnerability sits in one of the subcomponents, inside the product: the product must
  // be this image or a package in it, and the finding's package one of the subcomponents.
  if (purl.empty()) return false;
  if (!image_product && !component_matches_purl(p.component, purl) &&
      !component_in_image(p.component, image)) {
    return false;
  }
  return std::any_of(p.subcomponents.begin(), p.subcomponents.end(),
                     [&](const Component& s) { return component_matches_purl(s, purl); });
}

bool id_matches(std::string_view wanted, const report::Finding& f) {
  if (iequals(wanted, f.id)) return true;
  if (!f.vulnerability) return false;
  return std::any_of(f.vulnerability->aliases.begin(), f.vulnerability->aliases.end(),
                     [&](const std::string& a) { return iequals(wanted, a); });
}

bool statement_applies(const Statement& st, const report::Finding& f, const ImageIdentity& image) {
  bool vuln = std::any_of(st.vulnerability_ids.begin(), st.vulnerability_ids.end(),
                          [&](const std::string& id) { return id_matches(id, f); });
  if (!vuln) return false;
  std::string_view purl = is_purl(f.target) ? std::string_view(f.target) : std::string_view();
  return std::any_of(st.products.begin(), st.products.end(),
                     [&](const Product& p) { return product_applies(p, purl, image); });
}

// "/etc/app.conf:12" -> "/etc/app.conf" (file findings carry the line after a colon).
std::string_view path_of(std::string_view target) {
  auto colon = target.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == target.size()) return target;
  bool line = std::all_of(target.begin() + static_cast<std::ptrdiff_t>(colon) + 1, target.end(),
                          [](char c) { return c >= '0' && c <= '9'; });
  return line ? target.substr(0, colon) : target;
}

bool entry_matches(const IgnoreEntry& e, const report::Finding& f) {
  if (!id_matches(e.id, f)) return false;
  if (!e.package.empty()) {
    if (is_purl(e.package)) {
      if (!is_purl(f.target) || !purl_matches(e.package, f.target)) return false;
    } else {
      bool by_name = f.vulnerability && f.vulnerability->package_name == e.package;
      if (!by_name && is_purl(f.target)) {
        auto p = core::PackageUrl::parse(f.target, core::PurlParseMode::kLenient);
        by_name = p.ok() && p->name == e.package;
      }
      if (!by_name) return false;
    }
  }
  if (!e.path.empty()) {
    if (is_purl(f.target)) return false;
    std::string path(path_of(f.target));
    std::string pattern = e.path;
    // Paths in findings are absolute; a pattern without the leading '/' means the same.
    if (!path.empty() && path[0] == '/' && !pattern.empty() && pattern[0] != '/' &&
        pattern[0] != '*') {
      pattern.insert(pattern.begin(), '/');
    }
    if (!glob_matches(pattern, path) && !glob_matches(e.path, f.target)) return false;
  }
  return true;
}

}  // namespace

ImageIdentity image_identity(const report::Report& r) {
  ImageIdentity id;
  id.reference = r.target.reference;
  id.manifest_digest = r.target.manifest_digest;
  id.config_digest = r.target.config_digest;
  for (const auto& p : r.packages) {
    if (!p.purl.empty()) id.package_purls.push_back(p.purl);
  }
  return id;
}

std::vector<std::string> apply(std::vector<report::Finding>& findings, const Suppressions& s,
                               const ImageIdentity& image, std::string_view today) {
  std::vector<std::string> warnings;
  for (const auto& d : s.documents)
    warnings.insert(warnings.end(), d.warnings.begin(), d.warnings.end());

  std::vector<const IgnoreEntry*> live;
  std::vector<std::string> entry_source;
  for (const auto& file : s.ignore_files) {
    for (const auto& e : file.entries) {
      if (!e.expires.empty() && std::string_view(e.expires) < today) {
        warnings.push_back(file.path + ":" + std::to_string(e.line) + ": ignore entry for " + e.id +
                           " expired on " + e.expires + "; no longer applied");
        continue;
      }
      live.push_back(&e);
      entry_source.push_back("ignore:" + file.path);
    }
  }

  // Statements by every vulnerability id they name (lowercase), so a finding only tries the
  // statements about its own ids: thousands of findings against a large VEX stay cheap.
  std::unordered_map<std::string, std::vector<std::pair<size_t, const Statement*>>> by_id;
  for (size_t d = 0; d < s.documents.size(); ++d) {
    for (const auto& st : s.documents[d].statements) {
      for (const auto& id : st.vulnerability_ids) {
        auto& list = by_id[lower(id)];
        if (list.empty() || list.back().second != &st) list.emplace_back(d, &st);
      }
    }
  }

  for (auto& f : findings) {
    if (f.suppressed) continue;
    if (f.kind == "vulnerability" && !by_id.empty()) {
      std::vector<std::string> ids = {lower(f.id)};
      if (f.vulnerability) {
        for (const auto& a : f.vulnerability->aliases) ids.push_back(lower(a));
      }
      // (timestamp, document, position) of the deciding statement.
      std::optional<std::tuple<int64_t, size_t, int>> best_key;
      const Statement* best = nullptr;
      const Document* best_doc = nullptr;
      for (const auto& id : ids) {
        auto it = by_id.find(id);
        if (it == by_id.end()) continue;
        for (const auto& [d, st] : it->second) {
          if (!statement_applies(*st, f, image)) continue;
          auto key = std::make_tuple(st->timestamp, d, st->order);
          if (!best_key || key >= *best_key) {
            best_key = key;
            best = st;
            best_doc = &s.documents[d];
          }
        }
      }
      if (best != nullptr && best->suppresses) {
        report::Suppression sup;
        sup.source = best_doc->source;
        sup.status = best->status;
        sup.justification = best->justification;
        sup.reason = best->detail;
        f.suppressed = std::move(sup);
        continue;
      }
    }
    for (size_t i = 0; i < live.size(); ++i) {
      if (!entry_matches(*live[i], f)) continue;
      report::Suppression sup;
      sup.source = entry_source[i];
      sup.status = "ignored";
      sup.reason = live[i]->reason;
      sup.expires = live[i]->expires;
      f.suppressed = std::move(sup);
      break;
    }
  }
  return warnings;
}

}  // namespace bulwark::vex
