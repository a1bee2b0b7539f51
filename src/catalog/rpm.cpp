#include "catalog/rpm.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <tuple>

#include "catalog/changelog.hpp"
#include "catalog/rpm_db_bdb.hpp"
#include "catalog/rpm_db_ndb.hpp"
#include "catalog/rpm_db_sqlite.hpp"
#include "catalog/rpm_header.hpp"
#include "core/limits.hpp"
#include "core/path.hpp"
#include "core/purl.hpp"

namespace bulwark::catalog {
namespace {

using core::Error;
using core::Result;

enum class DbFormat { kSqlite, kNdb, kBdb };  // in the order of preference when several exist

struct DbFile {
  std::string_view name;
  DbFormat format;
  std::string_view format_name;
};

constexpr std::array<DbFile, 3> kDbFiles{{
    {"rpmdb.sqlite", DbFormat::kSqlite, "sqlite"},
    {"Packages.db", DbFormat::kNdb, "ndb"},
    {"Packages", DbFormat::kBdb, "bdb"},
}};

// rpm's %_dbpath: /var/lib/rpm everywhere, and /usr/lib/sysimage/rpm since Fedora 36 and
// openSUSE (where /var/lib/rpm is kept as a symlink to it). The newer location is preferred.
constexpr std::array<std::string_view, 2> kDbDirs{"usr/lib/sysimage/rpm", "var/lib/rpm"};

const DbFile* db_file_for(std::string_view path) {
  const std::string_view base = core::base_name(path);
  for (const DbFile& f : kDbFiles) {
    if (f.name == base) return &f;
  }
  return nullptr;
}

// Lower is preferred; paths that are not rpm databases sort last.
std::tuple<int, int> preference(std::string_view path) {
  const DbFile* f = db_file_for(path);
  const auto dir = core::parent_path(path);
  const auto d = std::find(kDbDirs.begin(), kDbDirs.end(), dir) - kDbDirs.begin();
  return {f ? static_cast<int>(f->format) : 99, static_cast<int>(d)};
}

// "bash-5.1.8-6.el9.src.rpm" -> {"bash", "5.1.8-6.el9"}. Name, version and release of a source
// package are separated by the last two dashes (rpm forbids '-' in version and release).
std::optional<std::pair<std::string, std::string>> split_source_rpm(std::string_view s) {
  for (std::string_view suffix : {".src.rpm", ".nosrc.rpm"}) {
    if (s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix) {
      s.remove_suffix(suffix.size());
      const auto rel = s.rfind('-');
      if (rel == std::string_view::npos || rel == 0 || rel + 1 == s.size()) return std::nullopt;
      const auto ver = s.rfind('-', rel - 1);
      if (ver == std::string_view::npos || ver == 0 || ver + 1 == rel) return std::nullopt;
      return std::pair{std::string(s.substr(0, ver)), std::string(s.substr(ver + 1))};
    }
  }
  return std::nullopt;
}

std::string with_epoch(const std::optional<int64_t>& epoch, std::string_view version_release) {
  return epoch ? fmt::format("{}:{}", *epoch, version_release) : std::string(version_release);
}

core::Package to_package(RpmHeader h, std::string_view path, std::string_view format_name) {
  core::Package p;
  p.name = std::move(h.name);
  const std::string vr = h.version + "-" + h.release;
  p.version = with_epoch(h.epoch, vr);
  p.ecosystem = "rpm";
  p.architecture = std::move(h.arch);
  if (auto src = split_source_rpm(h.source_rpm)) {
    p.source_name = std::move(src->first);
    // Epoch lives in the spec file and is shared by every package built from it, so the
    // source package has the binary package's epoch even though its file name omits it.
    p.source_version = with_epoch(h.epoch, src->second);
  }
  if (!h.license.empty()) p.licenses.push_back(std::move(h.license));
  p.locations.push_back(core::Location{std::string(path)});
  p.files.reserve(h.files.size());
  for (const std::string& f : h.files) {
    // rpm owns "/" itself (package "filesystem"); the root is not a file path.
    auto norm = core::normalize_image_path(f);
    if (norm && !norm->empty()) p.files.push_back(std::move(*norm));
  }
  core::RpmMetadata m;
  m.epoch = h.epoch;
  m.release = std::move(h.release);
  m.source_rpm = std::move(h.source_rpm);
  m.modularity_label = std::move(h.modularity_label);
  m.vendor = std::move(h.vendor);
  m.db_format = std::string(format_name);
  p.metadata = std::move(m);
  p.purl = rpm_purl(p, core::OsInfo{});
  // The header's own changelog cannot be newer than the package, so entries whose name line
  // carries no version are kept; versioned ones are compared as rpm compares.
  p.changelog_cves = changelog_cves_up_to(std::move(h.changelog_cves), "rpm", p.version,
                                          /*keep_unversioned=*/true);
  return p;
}

}  // namespace

std::string rpm_purl(const core::Package& package, const core::OsInfo& os) {
  core::PackageUrl u;
  u.type = "rpm";
  u.name = package.name;
  u.version = package.version;
  const auto* m = std::get_if<core::RpmMetadata>(&package.metadata);
  if (m != nullptr && m->epoch) {
    // Package::version carries "epoch:"; the purl carries it as a qualifier instead.
    if (auto colon = u.version.find(':'); colon != std::string::npos) u.version.erase(0, colon + 1);
    if (*m->epoch != 0) u.qualifiers["epoch"] = std::to_string(*m->epoch);
  }
  if (m != nullptr && !m->source_rpm.empty()) u.qualifiers["upstream"] = m->source_rpm;
  if (!package.architecture.empty()) u.qualifiers["arch"] = package.architecture;
  if (!os.empty()) {
    // purl-spec: the rpm namespace is the vendor ("fedora", "opensuse") and is lowercase.
    // The os-release ID stands for the vendor, except RHEL's "rhel", whose vendor is "redhat"
    // (as Syft and Trivy write it, so SBOMs from either tool match ours); the distro
    // qualifier keeps the os-release ID.
    std::string id = os.id;
    std::transform(id.begin(), id.end(), id.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    u.namespace_ = id == "rhel" ? "redhat" : id;
    u.qualifiers["distro"] = os.version_id.empty() ? id : id + "-" + os.version_id;
  }
  return u.to_string();
}

Result<std::vector<core::Package>> read_rpm_database(std::string_view path, std::string bytes,
                                                     std::vector<std::string>& warnings) {
  const DbFile* f = db_file_for(path);
  if (f == nullptr) return Error::unsupported(fmt::format("{}: not an rpm database name", path));
  std::vector<core::Package> packages;
  RpmBlobVisitor visit = [&](uint32_t instance, std::string_view blob) -> Result<void> {
    auto h = parse_rpm_header(blob);
    if (!h.ok()) {
      // One damaged header should not hide the other packages of the database.
      warnings.push_back(fmt::format("{}: header {}: {}", path, instance, h.error().message()));
      return core::ok();
    }
    // Imported signing keys are stored as headers named gpg-pubkey; they are not packages.
    if (h->name == "gpg-pubkey") return core::ok();
    if (!h->changelog_problem.empty()) {
      warnings.push_back(
          fmt::format("{}: header {} ({}): {}", path, instance, h->name, h->changelog_problem));
    }
    packages.push_back(to_package(std::move(h).value(), path, f->format_name));
    return core::ok();
  };
  Result<void> r = core::ok();
  switch (f->format) {
    case DbFormat::kSqlite:
      r = read_rpm_sqlite(std::move(bytes), visit);
      break;
    case DbFormat::kBdb:
      r = read_rpm_bdb(bytes, visit);
      break;
    case DbFormat::kNdb:
      r = read_rpm_ndb(bytes, visit);
      break;
  }
  if (!r.ok()) return std::move(r).error().with_context(path);
  // Stable, so that identical entries (a header stored twice) keep the database order.
  std::stable_sort(packages.begin(), packages.end(),
                   [](const core::Package& a, const core::Package& b) {
                     return std::tie(a.name, a.version, a.architecture) <
                            std::tie(b.name, b.version, b.architecture);
                   });
  return packages;
}

std::vector<image::PathPattern> RpmCataloger::patterns() const {
  std::vector<image::PathPattern> out;
  for (std::string_view dir : kDbDirs) {
    for (const DbFile& f : kDbFiles) {
      out.push_back(image::PathPattern::exact(fmt::format("{}/{}", dir, f.name)));
    }
  }
  return out;
}

Result<void> RpmCataloger::analyze(const image::Entry& entry, image::EntryContent& content,
                                   image::LayerFacts& out) const {
  if (entry.type != image::EntryType::kFile && entry.type != image::EntryType::kHardlink) {
    return core::ok();
  }
  auto bytes = content.read_all(core::limits().max_file_read);
  if (!bytes.ok()) return std::move(bytes).error().with_context(entry.path);
  BW_ASSIGN_OR_RETURN(auto packages,
                      read_rpm_database(entry.path, std::move(bytes).value(), out.warnings));
  out.packages_by_path[entry.path] = std::move(packages);
  return core::ok();
}

void RpmCataloger::finalize(const MergeContext& ctx, std::vector<core::Package>& packages) const {
  for (auto& p : packages) p.purl = rpm_purl(p, ctx.os());
  std::set<std::string> paths;
  for (const auto& p : packages) {
    if (!p.locations.empty()) paths.insert(p.locations.front().path);
  }
  if (paths.size() <= 1) return;
  const std::string best =
      *std::min_element(paths.begin(), paths.end(),
                        [](const auto& a, const auto& b) { return preference(a) < preference(b); });
  std::erase_if(packages, [&best](const core::Package& p) {
    return !p.locations.empty() && p.locations.front().path != best;
  });
}

}  // namespace bulwark::catalog
