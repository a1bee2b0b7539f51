#include "catalog/os_release.hpp"

#include <array>
#include <utility>

#include "core/text.hpp"

namespace bulwark::catalog {

using core::OsInfo;
using core::Result;

namespace {

constexpr std::string_view kEtcOsRelease = "etc/os-release";
constexpr std::string_view kUsrLibOsRelease = "usr/lib/os-release";
constexpr std::string_view kLsbRelease = "etc/lsb-release";
constexpr std::string_view kDebianVersion = "etc/debian_version";
constexpr std::string_view kAlpineRelease = "etc/alpine-release";
constexpr std::string_view kDpkgStatusDir = "var/lib/dpkg/status.d/";
// Red Hat family, most specific first: on CentOS and Fedora redhat-release and
// system-release are symlinks to the distribution's own file.
constexpr std::array<std::string_view, 4> kRedhatReleases = {
    "etc/centos-release", "etc/fedora-release", "etc/redhat-release", "etc/system-release"};

using core::is_space;
using core::trim;

std::string_view first_line(std::string_view text) {
  return trim(text.substr(0, text.find('\n')));
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool valid_key(std::string_view key) {
  if (key.empty() || is_digit(key.front())) return false;
  for (char c : key) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '_';
    if (!ok) return false;
  }
  return true;
}

// The value part of one assignment as a POSIX shell reads it: double quotes keep everything
// but let '\' escape $ " \ and `; single quotes keep everything; outside quotes '\' escapes
// any character and unescaped whitespace ends the word (what follows is a comment or junk).
// An unterminated quote runs to the end of the line rather than losing the value.
std::string unquote(std::string_view raw) {
  std::string out;
  size_t i = 0;
  while (i < raw.size()) {
    const char c = raw[i];
    if (c == '"') {
      for (++i; i < raw.size() && raw[i] != '"'; ++i) {
        if (raw[i] == '\\' && i + 1 < raw.size() &&
            std::string_view("$\"\\`").find(raw[i + 1]) != std::string_view::npos) {
          ++i;
        }
        out.push_back(raw[i]);
      }
      ++i;  // the closing quote
    } else if (c == '\'') {
      for (++i; i < raw.size() && raw[i] != '\''; ++i) out.push_back(raw[i]);
      ++i;
    } else if (c == '\\') {
      if (i + 1 < raw.size()) out.push_back(raw[i + 1]);
      i += 2;
    } else if (is_space(c)) {
      break;
    } else {
      out.push_back(c);
      ++i;
    }
  }
  return out;
}

std::string get(const std::map<std::string, std::string>& fields, const std::string& key) {
  auto it = fields.find(key);
  return it == fields.end() ? "" : it->second;
}

// Text inside the first "(...)", trimmed.
std::string_view parenthesised(std::string_view s) {
  auto open = s.find('(');
  if (open == std::string_view::npos) return {};
  auto close = s.find(')', open);
  if (close == std::string_view::npos) return {};
  return trim(s.substr(open + 1, close - open - 1));
}

// os-release ID values of the distributions that write "<Name> release <version>" files.
struct RedhatName {
  std::string_view prefix;
  std::string_view id;
};
constexpr std::array<RedhatName, 9> kRedhatNames = {{
    {"Red Hat Enterprise Linux", "rhel"},
    {"CentOS", "centos"},  // "CentOS Linux release", "CentOS Stream release", "CentOS release"
    {"Fedora", "fedora"},
    {"Amazon Linux", "amzn"},
    {"Rocky Linux", "rocky"},
    {"AlmaLinux", "almalinux"},
    {"Oracle Linux", "ol"},
    {"Scientific Linux", "scientific"},
    {"EuroLinux", "eurolinux"},
}};

}  // namespace

std::map<std::string, std::string> parse_os_release(std::string_view text) {
  std::map<std::string, std::string> fields;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = line.substr(0, eq);
    if (!valid_key(key)) continue;
    fields[std::string(key)] = unquote(line.substr(eq + 1));
  }
  return fields;
}

std::string_view debian_codename(std::string_view major) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kCodenames = {{
      {"4", "etch"},
      {"5", "lenny"},
      {"6", "squeeze"},
      {"7", "wheezy"},
      {"8", "jessie"},
      {"9", "stretch"},
      {"10", "buster"},
      {"11", "bullseye"},
      {"12", "bookworm"},
      {"13", "trixie"},
      {"14", "forky"},
      {"15", "duke"},
  }};
  for (const auto& [number, name] : kCodenames) {
    if (number == major) return name;
  }
  return {};
}

OsInfo os_from_os_release(std::string_view text) {
  auto fields = parse_os_release(text);
  OsInfo os;
  // os-release(5) defines ID as lowercase; some hand-written files do not comply.
  os.id = ascii_lower(get(fields, "ID"));
  os.version_id = get(fields, "VERSION_ID");
  os.codename = get(fields, "VERSION_CODENAME");
  if (os.codename.empty()) os.codename = get(fields, "UBUNTU_CODENAME");
  // Debian 8 and older name the release only in VERSION="8 (jessie)".
  if (os.codename.empty() && os.id == "debian") {
    os.codename = std::string(debian_codename(os.version_id));
  }
  os.pretty_name = get(fields, "PRETTY_NAME");
  os.id_like = get(fields, "ID_LIKE");
  return os;
}

OsInfo os_from_lsb_release(std::string_view text) {
  auto fields = parse_os_release(text);
  OsInfo os;
  os.id = ascii_lower(get(fields, "DISTRIB_ID"));
  os.version_id = get(fields, "DISTRIB_RELEASE");
  os.codename = get(fields, "DISTRIB_CODENAME");
  os.pretty_name = get(fields, "DISTRIB_DESCRIPTION");
  return os;
}

OsInfo os_from_debian_version(std::string_view text) {
  std::string_view line = first_line(text);
  OsInfo os;
  if (line.empty()) return os;
  if (is_digit(line.front())) {
    // os-release's VERSION_ID for Debian is the major release ("12") and purls and advisory
    // feeds key on it; the point release ("12.4") stays visible in the pretty name.
    std::string_view major = line.substr(0, line.find('.'));
    for (char c : major) {
      if (!is_digit(c)) return os;
    }
    os.id = "debian";
    os.version_id = std::string(major);
    os.codename = std::string(debian_codename(major));
  } else {
    // testing and unstable write "<next codename>/sid" and have no version number.
    std::string_view codename = line.substr(0, line.find('/'));
    for (char c : codename) {
      if (!(c >= 'a' && c <= 'z')) return os;
    }
    os.id = "debian";
    os.codename = std::string(codename);
  }
  os.pretty_name = "Debian GNU/Linux " + std::string(line);
  if (!os.codename.empty() && is_digit(line.front())) os.pretty_name += " (" + os.codename + ")";
  return os;
}

OsInfo os_from_alpine_release(std::string_view text) {
  std::string_view line = first_line(text);
  OsInfo os;
  if (line.empty() || !is_digit(line.front())) return os;
  for (char c : line) {
    if (is_space(c)) return os;
  }
  os.id = "alpine";
  os.version_id = std::string(line);
  // Matches os-release's PRETTY_NAME="Alpine Linux v3.19".
  auto first_dot = line.find('.');
  auto second_dot = first_dot == std::string_view::npos ? first_dot : line.find('.', first_dot + 1);
  os.pretty_name = "Alpine Linux v" + std::string(line.substr(0, second_dot));
  return os;
}

OsInfo os_from_redhat_release(std::string_view text) {
  std::string_view line = first_line(text);
  OsInfo os;
  constexpr std::string_view kRelease = " release ";
  auto at = line.find(kRelease);
  if (at == std::string_view::npos) return os;
  std::string_view name = line.substr(0, at);
  for (const auto& n : kRedhatNames) {
    if (name.starts_with(n.prefix)) {
      os.id = std::string(n.id);
      break;
    }
  }
  if (os.id.empty()) return os;
  std::string_view rest = trim(line.substr(at + kRelease.size()));
  os.version_id = std::string(rest.substr(0, rest.find(' ')));
  os.codename = std::string(parenthesised(rest));
  os.pretty_name = std::string(line);
  return os;
}

OsInfo detect_os(const CapturedLookup& captured, bool has_dpkg_status_d) {
  auto from = [&](std::string_view path, OsInfo (*parse)(std::string_view)) -> OsInfo {
    const std::string* text = captured(path);
    if (text == nullptr) return {};
    OsInfo os = parse(*text);
    os.evidence_path = std::string(path);
    return os;
  };
  OsInfo os_release = from(kEtcOsRelease, os_from_os_release);
  if (os_release.evidence_path.empty()) os_release = from(kUsrLibOsRelease, os_from_os_release);
  if (!os_release.empty()) return os_release;

  OsInfo os = from(kLsbRelease, os_from_lsb_release);
  if (os.empty()) os = from(kDebianVersion, os_from_debian_version);
  if (os.empty()) os = from(kAlpineRelease, os_from_alpine_release);
  for (auto path : kRedhatReleases) {
    if (!os.empty()) break;
    os = from(path, os_from_redhat_release);
  }
  if (!os.empty()) return os;

  if (has_dpkg_status_d && os_release.evidence_path.empty()) {
    // Distroless images without release files: the per-package status.d files say it is
    // Debian, nothing says which release.
    OsInfo distroless;
    distroless.id = "debian";
    distroless.pretty_name = "Distroless";
    distroless.evidence_path = std::string(kDpkgStatusDir);
    return distroless;
  }
  // An os-release without ID still carries a name worth reporting.
  return os_release;
}

OsInfo detect_os(const MergeContext& ctx) {
  std::string_view status_dir = kDpkgStatusDir;
  if (status_dir.ends_with('/')) status_dir.remove_suffix(1);
  auto captured = [&](std::string_view path) { return ctx.captured(path); };
  // Whether status.d holds anything walks every path of the image (~1 ms on big), and matters
  // only when no release file was found: asked only then.
  OsInfo os = detect_os(captured, false);
  if (!os.evidence_path.empty()) return os;
  return detect_os(captured, ctx.fs().has_entries_under(status_dir));
}

std::vector<image::PathPattern> OsReleaseCataloger::patterns() const {
  std::vector<image::PathPattern> out;
  for (auto path : {kEtcOsRelease, kUsrLibOsRelease, kLsbRelease, kDebianVersion, kAlpineRelease}) {
    out.push_back(image::PathPattern::exact(std::string(path)));
  }
  for (auto path : kRedhatReleases) out.push_back(image::PathPattern::exact(std::string(path)));
  // The distroless marker var/lib/dpkg/status.d/ needs no capture: detect_os() finds it in
  // the merged file index. Claiming it here would also make this cataloger, registered
  // before dpkg, the owner of the dpkg packages read from there.
  return out;
}

Result<void> OsReleaseCataloger::analyze(const image::Entry& entry, image::EntryContent& content,
                                         image::LayerFacts& out) const {
  if (entry.size > kMaxOsReleaseFileBytes) {
    out.warnings.push_back(entry.path + ": " + std::to_string(entry.size) +
                           " bytes is too large for a release file; ignored");
    return core::ok();
  }
  auto text = content.read_all(kMaxOsReleaseFileBytes);
  if (!text.ok()) {
    if (text.error().code() != core::ErrorCode::kLimitExceeded) return std::move(text).error();
    out.warnings.push_back(entry.path + ": " + text.error().message());
    return core::ok();
  }
  out.captured[entry.path] = std::move(text).value();
  return core::ok();
}

}  // namespace bulwark::catalog
