// What several writers need to agree on: one package order, stable identities, content-derived
// document ids. Internal to the report module.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "report/report.hpp"

namespace bulwark::report::detail {

// Packages in the one output order: (ecosystem, name, version, architecture, first location),
// then the remaining fields, so the order never depends on how the Report was assembled.
std::vector<const core::Package*> sorted_packages(const std::vector<core::Package>& packages);

// Findings most severe first, then by kind, id, target and layer.
std::vector<const Finding*> sorted_findings(const std::vector<Finding>& findings);

// Every field that tells two packages apart, as one string (for hashing into ids).
std::string package_identity_key(const core::Package& p);

// Declared licenses with exact duplicates dropped, first occurrence kept.
std::vector<std::string> unique_licenses(const core::Package& p);

// The image's display name (reference, else what the user passed) and its version (manifest
// digest, else config digest; "" for a directory).
std::string image_name(const Target& t);
std::string image_version(const Target& t);

std::string scanner_version(const Report& r);  // "unknown" when unset

// A UUID built from SHA-256 of `content`: same content, same UUID, so documents are
// byte-identical for the same image and time. Version 8 (RFC 9562 "custom"), because it is
// neither random (v4) nor the SHA-1 name-based v5.
std::string uuid_from_content(std::string_view content);

// Like core::dump_json, for ordered_json: the writers choose their key order deliberately.
std::string dump_ordered(const nlohmann::ordered_json& j, int indent = 2);

// Dumps `doc` once with `doc[key]` = prefix + a fixed placeholder UUID, then splices in the UUID
// derived from that text: the same content-derived id as hashing a first dump, at the cost of
// one serialisation instead of two (large SBOMs spend most of their writing time there).
std::string dump_with_content_uuid(nlohmann::ordered_json& doc, const std::string& key,
                                   const std::string& prefix);
// The two steps of dump_with_content_uuid, for a writer that edits the text in between: the
// value to give `key` (prefix + placeholder), then, on the finished text, the placeholder
// replaced by the UUID derived from that text.
std::string content_uuid_placeholder(std::string_view prefix);
std::string set_content_uuid(std::string text, std::string_view prefix);

// Writes JSON text token by token, byte for byte as nlohmann's dump(2, ' ', false, replace)
// writes the same values (so a writer can mix both in one document): two-space indentation,
// "key": value, ",\n" between members, "{}" and "[]" for empty containers, and strings escaped
// as nlohmann escapes them (any string that needs escaping is handed to nlohmann itself). No
// document tree is built: the CycloneDX writer emits its components this way (big: 889
// components, 1.6 MB); with a tree to build, dump and free, writing big's SBOM took ~17 ms
// of the serial tail, now ~6 ms (with half the components on a second thread).
class PrettyJson {
 public:
  // Appends to `out`; `indent` is the indentation of the line the first value starts on (the
  // nesting of that value in the enclosing document times two).
  PrettyJson(std::string& out, size_t indent) : out_(out), base_(indent) {}
  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  // A member's name; its value follows.
  void key(std::string_view k);
  void string(std::string_view v);
  // `"k": "v"` in one call.
  void member(std::string_view k, std::string_view v) {
    key(k);
    string(v);
  }

 private:
  void before_value();
  void open(char bracket);
  void close(char bracket);
  void newline_and_indent(size_t depth);
  void quoted(std::string_view s);

  std::string& out_;
  size_t base_;
  std::vector<bool> has_members_;  // per open container
  bool after_key_ = false;
};

// One UTF-8 code point of `s` at byte `i`: the code point and its length in bytes, or nullopt
// for an invalid byte (bad lead or continuation byte, truncation, overlong form, surrogate,
// past U+10FFFF; RFC 3629). Shared by the writers that must show untrusted text safely.
struct CodePoint {
  char32_t value;
  size_t length;
};
std::optional<CodePoint> decode_utf8(std::string_view s, size_t i);

}  // namespace bulwark::report::detail
