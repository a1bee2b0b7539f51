#include "catalog/apk.hpp"

#include <algorithm>
#include <array>
#include <optional>

#include "core/limits.hpp"
#include "core/path.hpp"
#include "core/purl.hpp"
#include "core/text.hpp"

namespace bulwark::catalog {

using core::Result;

namespace {

constexpr std::string_view kInstalledDb = "lib/apk/db/installed";
// Hostile files must not turn into millions of warnings: report the first few, count the rest.
constexpr size_t kMaxWarnings = 20;

using core::is_space;
using core::trim;

using core::equal_nocase;

class Warnings {
 public:
  explicit Warnings(std::vector<std::string>& out) : out_(out) {}
  void add(std::string message) {
    if (out_.size() < kMaxWarnings) {
      out_.push_back(std::move(message));
    } else {
      ++dropped_;
    }
  }
  void finish() {
    if (dropped_ > 0) out_.push_back("and " + std::to_string(dropped_) + " more problems");
  }

 private:
  std::vector<std::string>& out_;
  size_t dropped_ = 0;
};

// One record being read. Fields keep the last value when a key repeats, as apk does.
struct Record {
  size_t first_line = 0;
  bool any_field = false;
  std::string name, version, arch, origin, license, commit, maintainer, checksum;
  std::string dir;        // the last F: line, normalised
  bool dir_valid = true;  // false after an F: line that escapes the root
  std::vector<std::string> files;
};

void finish_record(Record& r, std::vector<core::Package>& out, Warnings& warn) {
  if (!r.any_field) return;
  const std::string where = "record at line " + std::to_string(r.first_line);
  if (r.name.empty()) {
    warn.add(where + ": no package name (P:); skipped");
    return;
  }
  // apk names are printable ASCII without spaces or '/'; anything else is not a package.
  for (char c : r.name) {
    if (c <= ' ' || c == '/' || c == '\x7f') {
      warn.add(where + ": invalid package name; skipped");
      return;
    }
  }
  if (r.version.empty()) {
    warn.add(where + ": package " + r.name + " has no version (V:); skipped");
    return;
  }
  core::Package p;
  p.name = std::move(r.name);
  p.version = std::move(r.version);
  p.ecosystem = "apk";
  p.architecture = std::move(r.arch);
  // Subpackages (libcrypto3, libssl3) are built from their origin's aports directory at the
  // same version; advisories are filed against the origin.
  p.source_name = r.origin.empty() ? p.name : r.origin;
  p.source_version = p.version;
  p.licenses = split_apk_license(r.license);
  p.files = std::move(r.files);
  p.metadata = core::ApkMetadata{std::move(r.origin), std::move(r.commit), std::move(r.maintainer),
                                 std::move(r.checksum)};
  p.purl = apk_purl(p, {});
  out.push_back(std::move(p));
}

bool is_apk_vendor(const core::OsInfo& os) {
  static constexpr std::array<std::string_view, 4> kApkDistros = {"alpine", "wolfi", "chainguard",
                                                                  "postmarketos"};
  if (std::find(kApkDistros.begin(), kApkDistros.end(), os.id) != kApkDistros.end()) return true;
  // ID_LIKE is a space-separated list.
  std::string_view like = os.id_like;
  while (!like.empty()) {
    auto space = like.find(' ');
    if (like.substr(0, space) == "alpine") return true;
    like = space == std::string_view::npos ? std::string_view{} : like.substr(space + 1);
  }
  return false;
}

}  // namespace

std::vector<std::string> split_apk_license(std::string_view field) {
  std::vector<std::string> tokens;
  bool expression = false;
  field = trim(field);
  while (!field.empty()) {
    size_t end = 0;
    while (end < field.size() && !is_space(field[end])) ++end;
    std::string_view token = field.substr(0, end);
    if (equal_nocase(token, "AND") || equal_nocase(token, "OR") || equal_nocase(token, "WITH") ||
        token.find_first_of("()") != std::string_view::npos) {
      expression = true;
    }
    tokens.emplace_back(token);
    field = trim(field.substr(end));
  }
  if (expression) {
    std::string joined;
    for (const auto& t : tokens) joined += (joined.empty() ? "" : " ") + t;
    return {joined};
  }
  std::vector<std::string> unique;
  for (auto& t : tokens) {
    if (std::find(unique.begin(), unique.end(), t) == unique.end()) unique.push_back(std::move(t));
  }
  return unique;
}

ApkParseResult parse_apk_installed(std::string_view text) {
  ApkParseResult result;
  Warnings warn(result.warnings);
  Record record;
  size_t line_no = 0;
  size_t pos = 0;
  size_t malformed = 0;
  size_t first_malformed = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    if (trim(line).empty()) {
      finish_record(record, result.packages, warn);
      record = Record{};
      continue;
    }
    if (!record.any_field) {
      record.any_field = true;
      record.first_line = line_no;
    }
    if (line.size() > kMaxApkLineBytes) {
      warn.add("line " + std::to_string(line_no) + ": " + std::to_string(line.size()) +
               " bytes is too long for a database line; skipped");
      continue;
    }
    if (line.size() < 2 || line[1] != ':') {
      if (malformed++ == 0) first_malformed = line_no;
      continue;
    }
    std::string_view value = line.substr(2);
    switch (line[0]) {
      case 'P':
        record.name = std::string(trim(value));
        break;
      case 'V':
        record.version = std::string(trim(value));
        break;
      case 'A':
        record.arch = std::string(trim(value));
        break;
      case 'o':
        record.origin = std::string(trim(value));
        break;
      case 'L':
        record.license = std::string(value);
        break;
      case 'c':
        record.commit = std::string(trim(value));
        break;
      case 'm':
        record.maintainer = std::string(trim(value));
        break;
      case 'C':
        record.checksum = std::string(trim(value));
        break;
      case 'F': {
        auto dir = core::normalize_image_path(value);
        record.dir = dir.value_or("");
        record.dir_valid = dir.has_value();
        if (!dir) {
          warn.add("line " + std::to_string(line_no) +
                   ": directory escapes the root; its files skipped");
        }
        break;
      }
      case 'R': {
        if (!record.dir_valid) break;
        auto path = core::normalize_image_path(
            record.dir.empty() ? std::string(value) : record.dir + "/" + std::string(value));
        if (path && !path->empty()) {
          record.files.push_back(std::move(*path));
        } else {
          warn.add("line " + std::to_string(line_no) + ": file path escapes the root; skipped");
        }
        break;
      }
      default:
        break;  // sizes, dependencies, file modes and checksums, build time...
    }
  }
  finish_record(record, result.packages, warn);
  if (malformed > 0) {
    warn.add(std::to_string(malformed) +
             " lines without a \"<key>:\" prefix ignored (first at line " +
             std::to_string(first_malformed) + ")");
  }
  warn.finish();
  return result;
}

std::string apk_purl(const core::Package& pkg, const core::OsInfo& os) {
  core::PackageUrl purl;
  purl.type = "apk";
  purl.namespace_ = "alpine";
  purl.name = pkg.name;
  purl.version = pkg.version;
  if (!pkg.architecture.empty()) purl.qualifiers["arch"] = pkg.architecture;
  if (is_apk_vendor(os)) {
    purl.namespace_ = os.id;
    if (!os.version_id.empty()) purl.qualifiers["distro"] = os.id + "-" + os.version_id;
  }
  if (!pkg.source_name.empty() && pkg.source_name != pkg.name) {
    purl.qualifiers["upstream"] = pkg.source_name;
  }
  return purl.to_string();
}

std::vector<image::PathPattern> ApkCataloger::patterns() const {
  return {image::PathPattern::exact(std::string(kInstalledDb))};
}

Result<void> ApkCataloger::analyze(const image::Entry& entry, image::EntryContent& content,
                                   image::LayerFacts& out) const {
  BW_ASSIGN_OR_RETURN(auto text, content.read_all(core::limits().max_file_read));
  auto parsed = parse_apk_installed(text);
  for (auto& w : parsed.warnings) out.warnings.push_back(entry.path + ": " + w);
  out.packages_by_path[entry.path] = std::move(parsed.packages);
  return core::ok();
}

void ApkCataloger::finalize(const MergeContext& ctx, std::vector<core::Package>& packages) const {
  for (auto& p : packages) p.purl = apk_purl(p, ctx.os());
}

}  // namespace bulwark::catalog
