// Suppression of findings: VEX documents (OpenVEX, CycloneDX VEX) and the ignore file
// (.bulwarkignore.yaml, docs/vex.md). Nothing is dropped: a matching statement or entry sets
// Finding::suppressed, and reports show the finding as suppressed with the reason.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "report/report.hpp"

namespace bulwark::vex {

// A component a statement is about: every identifier it was given (OpenVEX @id and
// identifiers.purl, CycloneDX bom-ref resolved to its purl), and for OpenVEX the
// subcomponents the vulnerability sits in.
struct Component {
  std::vector<std::string> ids;
  bool is_document_subject = false;  // CycloneDX: the BOM's metadata.component (the image)
};

struct Product {
  Component component;
  std::vector<Component> subcomponents;
};

// One VEX statement, from either format, in one normalised shape.
struct Statement {
  std::vector<std::string> vulnerability_ids;  // name (CycloneDX id) first, then aliases
  std::vector<Product> products;
  std::string status;  // as the document wrote it: not_affected, fixed, false_positive...
  bool suppresses = false;
  std::string justification;
  std::string detail;     // impact_statement / action_statement / analysis.detail
  int64_t timestamp = 0;  // seconds since the epoch (UTC); 0 when the document gave none
  int order = 0;          // position among all loaded statements (ties: later wins)
};

struct Document {
  std::string source;  // "openvex:FILE" or "cyclonedx-vex:FILE"
  std::vector<Statement> statements;
  std::vector<std::string> warnings;  // statements that were skipped, and why
};

struct IgnoreEntry {
  std::string id;       // finding id, CVE, rule id or alias
  std::string package;  // purl (version-less: any version) or package name; "" = any
  std::string path;     // glob over a file finding's path; "" = any
  std::string reason;
  std::string expires;  // YYYY-MM-DD, "" = never
  int line = 0;
};

struct IgnoreFile {
  std::string path;
  std::vector<IgnoreEntry> entries;
};

// Parsers. `name` names the input in messages and in Suppression::source.
core::Result<Document> parse_openvex(std::string_view text, std::string_view name);
core::Result<Document> parse_cyclonedx_vex(std::string_view text, std::string_view name);
// Either format, recognised by content (OpenVEX @context, CycloneDX bomFormat).
core::Result<Document> parse_vex(std::string_view text, std::string_view name);
core::Result<IgnoreFile> parse_ignore_file(std::string_view text, std::string_view name);

// Read a file (bounded by core/limits) and parse it.
core::Result<Document> load_vex(const std::string& path);
core::Result<IgnoreFile> load_ignore_file(const std::string& path);

struct Suppressions {
  std::vector<Document> documents;
  std::vector<IgnoreFile> ignore_files;
  bool empty() const { return documents.empty() && ignore_files.empty(); }
};

// What a statement's product may name besides packages: the scanned image itself.
struct ImageIdentity {
  std::string reference;        // "shop/app:1.0" or "registry:5000/shop/app:1.0"
  std::string manifest_digest;  // "sha256:..."
  std::string config_digest;
  std::vector<std::string> package_purls;  // every package found in the image
};
ImageIdentity image_identity(const report::Report& r);

// Marks findings that a statement or entry suppresses; returns warnings (skipped statements,
// expired ignore entries). `today` is "YYYY-MM-DD" (UTC). Never removes a finding.
std::vector<std::string> apply(std::vector<report::Finding>& findings, const Suppressions& s,
                               const ImageIdentity& image, std::string_view today);

// Matching primitives, public for tests.
// Type, namespace and name equal; the pattern's version, when it has one, equal too;
// qualifiers and subpath ignored. False when either is not a valid purl.
bool purl_matches(std::string_view pattern, std::string_view purl);
// `*` and `?` stay within one path segment, `**` crosses segments.
bool glob_matches(std::string_view pattern, std::string_view path);
// RFC 3339 date-time to seconds since the epoch.
core::Result<int64_t> parse_rfc3339(std::string_view text);
// "YYYY-MM-DD", a real calendar date.
bool valid_date(std::string_view text);

}  // namespace bulwark::vex
