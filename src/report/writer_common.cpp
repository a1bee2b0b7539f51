#include "report/writer_common.hpp"

#include <algorithm>
#include <array>
#include <tuple>

#include "core/digest.hpp"

namespace bulwark::report::detail {
namespace {

// A package without locations sorts before any located one.
const core::Location kNoLocation{};

const core::Location& first_location(const core::Package& p) {
  return p.locations.empty() ? kNoLocation : p.locations.front();
}

}  // namespace

std::vector<const core::Package*> sorted_packages(const std::vector<core::Package>& packages) {
  std::vector<const core::Package*> out;
  out.reserve(packages.size());
  for (const auto& p : packages) out.push_back(&p);
  std::stable_sort(out.begin(), out.end(), [](const core::Package* a, const core::Package* b) {
    return std::forward_as_tuple(a->ecosystem, a->name, a->version, a->architecture,
                                 first_location(*a), a->purl, a->source_name, a->source_version,
                                 a->locations, a->removed_in_layer) <
           std::forward_as_tuple(b->ecosystem, b->name, b->version, b->architecture,
                                 first_location(*b), b->purl, b->source_name, b->source_version,
                                 b->locations, b->removed_in_layer);
  });
  return out;
}

std::vector<const Finding*> sorted_findings(const std::vector<Finding>& findings) {
  std::vector<const Finding*> out;
  out.reserve(findings.size());
  for (const auto& f : findings) out.push_back(&f);
  std::stable_sort(out.begin(), out.end(), [](const Finding* a, const Finding* b) {
    // Severity descending: compare b's rank against a's.
    return std::forward_as_tuple(b->severity, a->kind, a->id, a->target, a->layer, a->title) <
           std::forward_as_tuple(a->severity, b->kind, b->id, b->target, b->layer, b->title);
  });
  return out;
}

std::string package_identity_key(const core::Package& p) {
  // Unit separators keep ("a", "bc") and ("ab", "c") apart.
  std::string key = p.ecosystem + '\x1f' + p.name + '\x1f' + p.version + '\x1f' + p.architecture +
                    '\x1f' + p.purl + '\x1f' + p.source_name + '\x1f' + p.source_version;
  for (const auto& loc : p.locations) {
    key += '\x1e' + loc.path + '\x1f' + std::to_string(loc.layer_index) + '\x1f' + loc.layer_digest;
  }
  return key;
}

std::vector<std::string> unique_licenses(const core::Package& p) {
  std::vector<std::string> out;
  for (const auto& l : p.licenses) {
    if (l.empty() || std::find(out.begin(), out.end(), l) != out.end()) continue;
    out.push_back(l);
  }
  return out;
}

std::string image_name(const Target& t) {
  if (!t.reference.empty()) return t.reference;
  if (!t.input.empty()) return t.input;
  return "unknown";
}

std::string image_version(const Target& t) {
  return t.manifest_digest.empty() ? t.config_digest : t.manifest_digest;
}

std::string scanner_version(const Report& r) {
  return r.scanner_version.empty() ? "unknown" : r.scanner_version;
}

std::string uuid_from_content(std::string_view content) {
  std::string h = core::Sha256::hex_of(content).substr(0, 32);
  h[12] = '8';  // version
  // Variant 10xx: keep the low two bits of the nibble, set the top two to 10.
  static constexpr char kHex[] = "0123456789abcdef";
  int nibble = h[16] <= '9' ? h[16] - '0' : h[16] - 'a' + 10;
  h[16] = kHex[(nibble & 0x3) | 0x8];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

std::string dump_ordered(const nlohmann::ordered_json& j, int indent) {
  // Invalid UTF-8 from an image (a package name, a path) is replaced rather than thrown on.
  return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

namespace {
constexpr std::string_view kUuidPlaceholder = "00000000-0000-0000-0000-000000000000";
}  // namespace

std::string content_uuid_placeholder(std::string_view prefix) {
  return std::string(prefix) + std::string(kUuidPlaceholder);
}

std::string set_content_uuid(std::string text, std::string_view prefix) {
  // Both writers set the key near the top of the document, before any package data, so its
  // value is the first occurrence of the quoted pattern.
  std::string pattern = "\"" + content_uuid_placeholder(prefix) + "\"";
  auto pos = text.find(pattern);
  if (pos != std::string::npos)
    text.replace(pos + 1 + prefix.size(), kUuidPlaceholder.size(), uuid_from_content(text));
  return text;
}

std::string dump_with_content_uuid(nlohmann::ordered_json& doc, const std::string& key,
                                   const std::string& prefix) {
  doc[key] = content_uuid_placeholder(prefix);
  return set_content_uuid(dump_ordered(doc), prefix);
}

void PrettyJson::newline_and_indent(size_t depth) {
  out_ += '\n';
  out_.append(base_ + 2 * depth, ' ');
}

void PrettyJson::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (has_members_.empty()) return;  // the top-level value
  if (has_members_.back()) out_ += ',';
  has_members_.back() = true;
  newline_and_indent(has_members_.size());
}

void PrettyJson::open(char bracket) {
  before_value();
  out_ += bracket;
  has_members_.push_back(false);
}

void PrettyJson::close(char bracket) {
  bool any = has_members_.back();
  has_members_.pop_back();
  if (any) newline_and_indent(has_members_.size());
  out_ += bracket;
}

void PrettyJson::key(std::string_view k) {
  if (has_members_.back()) out_ += ',';
  has_members_.back() = true;
  newline_and_indent(has_members_.size());
  quoted(k);
  out_ += ": ";
  after_key_ = true;
}

void PrettyJson::string(std::string_view v) {
  before_value();
  quoted(v);
}

void PrettyJson::quoted(std::string_view s) {
  // Printable ASCII other than '"' and '\\' is written as it is; anything else (controls,
  // UTF-8, invalid bytes) is left to nlohmann's own escaping and replacement.
  bool plain = std::all_of(s.begin(), s.end(),
                           [](char c) { return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'; });
  if (plain) {
    out_ += '"';
    out_ += s;
    out_ += '"';
    return;
  }
  out_ += nlohmann::ordered_json(s).dump(-1, ' ', false,
                                         nlohmann::ordered_json::error_handler_t::replace);
}

std::optional<CodePoint> decode_utf8(std::string_view s, size_t i) {
  auto b = static_cast<unsigned char>(s[i]);
  size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xe ? 3 : (b >> 3) == 0x1e ? 4 : 0;
  if (len == 0 || i + len > s.size()) return std::nullopt;
  char32_t cp = len == 1 ? b : len == 2 ? (b & 0x1f) : len == 3 ? (b & 0x0f) : (b & 0x07);
  for (size_t k = 1; k < len; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c >> 6) != 0x2) return std::nullopt;
    cp = (cp << 6) | (c & 0x3f);
  }
  static constexpr std::array<char32_t, 5> kMinForLength = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinForLength[len] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
    return std::nullopt;
  return CodePoint{cp, len};
}

}  // namespace bulwark::report::detail
