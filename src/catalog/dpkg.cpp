#include "catalog/dpkg.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <optional>
#include <set>
#include <span>
#include <system_error>
#include <thread>

#include "catalog/changelog.hpp"
#include "catalog/debian_changelog.hpp"
#include "catalog/debian_licenses.hpp"
#include "catalog/entry_bytes.hpp"
#include "core/cpus.hpp"
#include "core/limits.hpp"
#include "core/path.hpp"
#include "core/purl.hpp"
#include "core/text.hpp"

namespace bulwark::catalog {

using core::Result;

namespace {

constexpr std::string_view kStatus = "var/lib/dpkg/status";
constexpr std::string_view kStatusDir = "var/lib/dpkg/status.d/";
constexpr std::string_view kInfoDir = "var/lib/dpkg/info/";
constexpr std::string_view kDocDir = "usr/share/doc/";
constexpr std::string_view kChangelog = "/changelog.Debian.gz";
// A native package's Debian changelog (Policy 12.7); other packages put the upstream one there.
constexpr std::string_view kNativeChangelog = "/changelog.gz";
// Enough of a changelog.gz to see whether it starts with a Debian entry header.
constexpr uint64_t kChangelogPeekBytes = 1024;
constexpr size_t kChangelogPeekCompressed = 4096;

using core::trim;

// One deb822 paragraph: field name -> first-line value (continuation lines are not needed
// for the fields we read, except that they must not be mistaken for fields).
using Paragraph = std::vector<std::pair<std::string_view, std::string_view>>;

std::string_view field(const Paragraph& p, std::string_view name) {
  for (const auto& [k, v] : p) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return v;
    }
  }
  return {};
}

template <typename Fn>
void for_each_paragraph(std::string_view text, Fn&& fn) {
  Paragraph para;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty()) {
      if (!para.empty()) fn(para);
      para.clear();
    } else if (line.front() != ' ' && line.front() != '\t' && line.front() != '#') {
      auto colon = line.find(':');
      if (colon != std::string_view::npos)
        para.emplace_back(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
    }
    if (eol == text.size()) break;
    pos = eol + 1;
  }
  if (!para.empty()) fn(para);
}

// Status is "want flag state"; files are on disk in every state but these two.
bool files_installed(std::string_view status) {
  if (status.empty()) return true;  // distroless status.d entries often omit Status
  auto last_space = status.rfind(' ');
  auto state = last_space == std::string_view::npos ? status : status.substr(last_space + 1);
  return state != "not-installed" && state != "config-files";
}

}  // namespace

DpkgParseResult parse_dpkg_status(std::string_view text) {
  DpkgParseResult out;
  for_each_paragraph(text, [&](const Paragraph& p) {
    auto name = field(p, "Package");
    auto version = field(p, "Version");
    auto status = field(p, "Status");
    if (name.empty()) {
      out.warnings.push_back("paragraph without a Package field skipped");
      return;
    }
    if (!files_installed(status)) return;
    if (version.empty()) {
      out.warnings.push_back("package " + std::string(name) + " has no Version; skipped");
      return;
    }
    core::Package pkg;
    pkg.name = std::string(name);
    pkg.version = std::string(version);
    pkg.ecosystem = "deb";
    pkg.architecture = std::string(field(p, "Architecture"));
    // "Source: name (version)" when the source version differs from the binary's.
    auto source = field(p, "Source");
    if (source.empty()) {
      pkg.source_name = pkg.name;
      pkg.source_version = pkg.version;
    } else {
      auto paren = source.find('(');
      pkg.source_name = std::string(trim(source.substr(0, paren)));
      if (paren != std::string_view::npos) {
        auto close = source.find(')', paren);
        pkg.source_version = std::string(trim(
            source.substr(paren + 1, close == std::string_view::npos ? close : close - paren - 1)));
      } else {
        pkg.source_version = pkg.version;
      }
    }
    core::DpkgMetadata meta;
    meta.maintainer = std::string(field(p, "Maintainer"));
    meta.status = std::string(status);
    auto size = field(p, "Installed-Size");
    std::from_chars(size.data(), size.data() + size.size(), meta.installed_size_kib);
    pkg.metadata = std::move(meta);
    out.packages.push_back(std::move(pkg));
  });
  return out;
}

std::vector<std::string> parse_debian_copyright(std::string_view text) {
  std::set<std::string> licenses;
  bool dep5 =
      text.substr(0, 7) == "Format:" || text.find("copyright-format/1.0") != std::string_view::npos;
  if (dep5) {
    for_each_paragraph(text, [&](const Paragraph& p) {
      for (const auto& [k, v] : p) {
        if (k != "License") continue;
        if (!v.empty()) licenses.emplace(v);
      }
    });
  } else {
    // Free-form files name the common licenses they use by path.
    constexpr std::string_view kCommon = "/usr/share/common-licenses/";
    for (size_t pos = text.find(kCommon); pos != std::string_view::npos;
         pos = text.find(kCommon, pos + 1)) {
      size_t start = pos + kCommon.size();
      size_t end = start;
      while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) ||
                                   text[end] == '-' || text[end] == '.' || text[end] == '+')) {
        ++end;
      }
      auto name = text.substr(start, end - start);
      while (!name.empty() && name.back() == '.') name.remove_suffix(1);
      if (!name.empty()) licenses.emplace(name);
    }
  }
  return {licenses.begin(), licenses.end()};
}

std::vector<image::PathPattern> DpkgCataloger::patterns() const {
  return {image::PathPattern::exact(std::string(kStatus)),
          image::PathPattern::prefix(std::string(kStatusDir)),
          image::PathPattern::glob("var/lib/dpkg/info/*.list"),
          image::PathPattern::glob("usr/share/doc/*/copyright"),
          image::PathPattern::glob("usr/share/doc/*/changelog.Debian.gz"),
          image::PathPattern::glob("usr/share/doc/*/changelog.gz")};
}

Result<void> DpkgCataloger::analyze(const image::Entry& entry, image::EntryContent& content,
                                    image::LayerFacts& out) const {
  const std::string& path = entry.path;
  if (path.ends_with(kChangelog) || path.ends_with(kNativeChangelog))
    return analyze_changelog(path, content, out);
  BW_ASSIGN_OR_RETURN(auto text, content.read_all(core::limits().max_file_read));
  if (path == kStatus || (path.starts_with(kStatusDir) && !path.ends_with(".md5sums"))) {
    auto parsed = parse_dpkg_status(text);
    for (auto& w : parsed.warnings) out.warnings.push_back(path + ": " + w);
    out.packages_by_path[path] = std::move(parsed.packages);
    return core::ok();
  }
  if (path.starts_with(kInfoDir) && path.ends_with(".list")) {
    std::vector<std::string> files;
    size_t pos = 0;
    while (pos < text.size()) {
      size_t eol = text.find('\n', pos);
      if (eol == std::string::npos) eol = text.size();
      auto norm = core::normalize_image_path(std::string_view(text).substr(pos, eol - pos));
      if (norm && !norm->empty()) files.push_back(std::move(*norm));
      pos = eol + 1;
    }
    out.facts_by_path[path] = std::move(files);
    return core::ok();
  }
  if (path.ends_with("/copyright")) {
    out.facts_by_path[path] = parse_debian_copyright(text);
  }
  return core::ok();
}

// The CVE mentions of every entry, whatever its version: the installed version is known only
// after the merge (the status file may be in another layer), so finalize() filters. Cost on
// the big corpus image (635 changelogs, 10.7 MB inflated): about 30 ms of CPU at -O2, a third
// of it inflating.
Result<void> DpkgCataloger::analyze_changelog(const std::string& path, image::EntryContent& content,
                                              image::LayerFacts& out) const {
  std::string storage;
  std::string_view gz;
  if (path.ends_with(kNativeChangelog)) {
    // Mostly upstream changelogs (hundreds of KiB each): read and inflate only enough of the
    // file to see its first line, and the rest only when that is a Debian entry header.
    storage.resize(kChangelogPeekCompressed);
    size_t got = 0;
    while (got < storage.size()) {
      BW_ASSIGN_OR_RETURN(size_t n, content.read(std::as_writable_bytes(
                                        std::span(storage.data() + got, storage.size() - got))));
      if (n == 0) break;
      got += n;
    }
    storage.resize(got);
    auto head = inflate_changelog(storage, path, kChangelogPeekBytes);
    if (!head.ok() || !starts_with_debian_changelog_header(head->text)) return core::ok();
    std::string more;
    BW_ASSIGN_OR_RETURN(auto rest, content.read_rest(core::limits().max_file_read, more));
    storage.append(rest);
    gz = storage;
  } else {
    BW_ASSIGN_OR_RETURN(gz, entry_bytes(content, storage));
  }
  auto inflated = inflate_changelog(gz, path);
  if (!inflated.ok()) {
    out.warnings.push_back(path + ": " + inflated.error().message());
    return core::ok();
  }
  if (!inflated->problem.empty()) out.warnings.push_back(path + ": " + inflated->problem);
  auto parsed = parse_debian_changelog(inflated->text);
  // Format quirks are dpkg-parsechangelog's warnings, common in old changelogs and harmless to
  // the CVE mentions; only a changelog that yields nothing, or is cut, is worth a warning.
  if (parsed.entries.empty()) out.warnings.push_back(path + ": no Debian changelog entry");
  std::vector<std::string> records;
  for (const auto& e : parsed.entries) {
    for (const auto& c : e.cves) records.push_back(encode_changelog_cve(c));
  }
  for (const auto& w : parsed.warnings) {
    if (w.starts_with("more than ")) out.warnings.push_back(path + ": " + w);
  }
  out.facts_by_path[path] = std::move(records);
  return core::ok();
}

// The changelog of a package's documentation directory, which Debian lets be a symlink to that
// of another binary package of the same source (usr/share/doc/libfoo1 -> foo, Policy 12.3).
static const std::vector<std::string>* changelog_facts_at(const MergeContext& ctx,
                                                          const std::string& path) {
  if (const auto* f = ctx.facts(path)) return f;
  const auto* record = ctx.fs().find(path);
  if (record != nullptr && record->entry->type != image::EntryType::kSymlink) return nullptr;
  auto resolved = ctx.fs().resolve(path);
  if (!resolved || *resolved == path) return nullptr;
  return ctx.facts(*resolved);
}

// changelog.Debian.gz, or a native package's changelog.gz (facts exist only for a Debian one).
static const std::vector<std::string>* changelog_facts(const MergeContext& ctx,
                                                       const std::string& name) {
  std::string dir = std::string(kDocDir) + name;
  if (const auto* f = changelog_facts_at(ctx, dir + std::string(kChangelog))) return f;
  return changelog_facts_at(ctx, dir + std::string(kNativeChangelog));
}

void DpkgCataloger::finalize(const MergeContext& ctx, std::vector<core::Package>& packages) const {
  const auto& os = ctx.os();
  std::string vendor = os.id == "ubuntu" ? "ubuntu" : "debian";
  std::string distro = os.id.empty() ? "" : os.id + "-" + os.version_id;
  // Each package is completed from the merged view alone (read-only) and touches nothing but
  // itself, so a second thread shares the work: on big (1,000 packages, 80,000 owned files,
  // 635 changelogs) this step was ~10 ms of the serial tail after the layers are read.
  auto complete = [&](core::Package& p) {
    std::string info = std::string(kInfoDir) + p.name;
    const auto* files = ctx.facts(info + ":" + p.architecture + ".list");
    if (files == nullptr) files = ctx.facts(info + ".list");
    if (files != nullptr) p.files = *files;
    const std::string copyright = "usr/share/doc/" + p.name + "/copyright";
    const auto* lic = ctx.facts(copyright);
    if (lic == nullptr) {
      // Packages of one source often share a doc directory through a symlink (libstdc++6 ->
      // gcc-12-base, python3-venv -> python3): their copyright is the linked one's.
      if (auto real = ctx.fs().resolve(copyright); real && *real != copyright)
        lic = ctx.facts(*real);
    }
    if (lic != nullptr) {
      // Debian short names ("GPL-2+", "Expat") as SPDX expressions; distinct declarations can
      // meet ("GPL-2.0+" and "GPL-2+"), hence the set.
      std::set<std::string> spdx;
      for (const auto& declared : *lic) spdx.insert(debian_license_to_spdx(declared));
      p.licenses.assign(spdx.begin(), spdx.end());
    }
    if (const auto* cl = changelog_facts(ctx, p.name); cl != nullptr && !cl->empty()) {
      std::vector<core::ChangelogCve> mentions;
      mentions.reserve(cl->size());
      for (const auto& r : *cl) {
        if (auto c = decode_changelog_cve(r)) mentions.push_back(std::move(*c));
      }
      // Entry versions are source versions; the binary's may carry a binNMU suffix (+b1).
      const std::string& installed = p.source_version.empty() ? p.version : p.source_version;
      p.changelog_cves = changelog_cves_up_to(std::move(mentions), "deb", installed);
    }
    core::PackageUrl purl{"deb", vendor, p.name, p.version, {}, ""};
    if (!p.architecture.empty()) purl.qualifiers["arch"] = p.architecture;
    if (!distro.empty()) purl.qualifiers["distro"] = distro;
    if (!p.source_name.empty() && p.source_name != p.name) {
      purl.qualifiers["upstream"] = p.source_name;
    }
    p.purl = purl.to_string();
  };
  // Shared out in small chunks: the cost per package varies a lot (file lists, changelogs).
  constexpr size_t kChunk = 16;
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t begin = next.fetch_add(kChunk); begin < packages.size();
         begin = next.fetch_add(kChunk)) {
      for (size_t i = begin; i < std::min(begin + kChunk, packages.size()); ++i)
        complete(packages[i]);
    }
  };
  std::optional<std::jthread> helper;
  if (packages.size() > 4 * kChunk && core::available_cpus() > 1) {
    try {
      helper.emplace(work);
    } catch (const std::system_error&) {
      // No thread: this one completes them all.
    }
  }
  work();
}

}  // namespace bulwark::catalog
