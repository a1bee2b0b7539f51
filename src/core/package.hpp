// The one package model every cataloger produces and every consumer reads (Syft's pkg.Package
// shape): common fields plus typed per-ecosystem metadata in a variant.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace bulwark::core {

// Where a package was found: the database or manifest file, and the layer that added the
// package in its current version.
struct Location {
  std::string path;          // image path of the evidence, e.g. "var/lib/dpkg/status"
  int layer_index = -1;      // 0-based; -1 for a root filesystem directory
  std::string layer_digest;  // blob digest "sha256:..." of that layer ("" for a directory)
  bool operator==(const Location&) const = default;
  auto operator<=>(const Location&) const =
      default;  // NOLINT(modernize-use-nullptr): clang-tidy 14 false positive
};

struct DpkgMetadata {
  std::string maintainer;
  std::string status;  // "install ok installed", "deinstall ok config-files", ...
  int64_t installed_size_kib = 0;
  bool operator==(const DpkgMetadata&) const = default;
};

struct ApkMetadata {
  std::string origin;  // source package
  std::string commit;  // aports commit the package was built from
  std::string maintainer;
  std::string checksum;
  bool operator==(const ApkMetadata&) const = default;
};

struct RpmMetadata {
  std::optional<int64_t> epoch;
  std::string release;
  std::string source_rpm;
  std::string modularity_label;
  std::string vendor;
  std::string db_format;  // "sqlite", "bdb", "ndb"
  bool operator==(const RpmMetadata&) const = default;
};

// What a language lock file or manifest says about one dependency (npm, yarn, pnpm, Pipfile,
// poetry, composer...): its scope and where it was fetched from.
struct LanguageMetadata {
  bool dev = false;       // needed only to develop or test the project
  bool optional = false;  // installed only where it can be (platform-specific, optional deps)
  std::string resolved;   // source the lock file records (tarball URL, registry, path)
  std::string integrity;  // hash the lock file records ("sha512-...", "sha256:...")
  bool operator==(const LanguageMetadata&) const = default;
};

// What a Go binary's build info (runtime/debug.BuildInfo) says about a module it contains.
struct GoMetadata {
  bool main_module = false;  // the module the binary was built from, not a dependency
  std::string go_version;    // toolchain that built the binary, as embedded ("go1.21.5")
  std::string main_path;     // the binary's main package ("cmd/go", "github.com/x/y/cmd/z")
  std::string sum;           // module checksum from go.sum ("h1:..."), dependencies only
  // `go build` settings in order (-buildmode, -ldflags, CGO_ENABLED, GOOS, GOARCH,
  // vcs.revision, vcs.time, ...); main module only.
  std::vector<std::pair<std::string, std::string>> build_settings;
  bool operator==(const GoMetadata&) const = default;
};

using PackageMetadata = std::variant<std::monostate, DpkgMetadata, ApkMetadata, RpmMetadata,
                                     LanguageMetadata, GoMetadata>;

// A CVE the package's own changelog says a version fixed (Debian changelog.Debian.gz, RPM
// %changelog): the strongest evidence that a backported fix is installed.
struct ChangelogCve {
  std::string cve;      // "CVE-2023-1234"
  std::string version;  // the changelog entry's version ("" when the format has none)
  std::string line;     // the changelog line naming it, trimmed
  bool operator==(const ChangelogCve&) const = default;
};

struct Package {
  std::string name;
  std::string version;    // full version as the ecosystem writes it ("1:3.0.11-1~deb12u2")
  std::string ecosystem;  // purl type: "deb", "apk", "rpm", "npm", "pypi", ...
  std::string purl;
  std::string architecture;
  std::string source_name;  // source package (deb Source:, apk origin, rpm SOURCERPM name)
  std::string source_version;
  std::vector<std::string> licenses;
  std::vector<Location> locations;
  std::vector<std::string> files;  // paths the package manager says this package owns
  PackageMetadata metadata;
  // Set when a later layer removed the package (purged from the database or its evidence
  // whited out); such packages are reported apart from the installed ones.
  std::optional<int> removed_in_layer;
  // CVEs named as fixed by the package's changelog, entries up to the installed version.
  std::vector<ChangelogCve> changelog_cves;

  bool operator==(const Package&) const = default;
};

// Identity used to follow one package through the layers of a database file.
inline std::string package_identity(const Package& p) {
  return p.ecosystem + "\x1f" + p.name + "\x1f" + p.architecture;
}

struct OsInfo {
  std::string id;          // os-release ID: "debian", "alpine", "rhel", "ubuntu" ...
  std::string version_id;  // "12", "3.19.1", "9.3"
  std::string codename;    // "bookworm"
  std::string pretty_name;
  std::string id_like;
  std::string evidence_path;  // the file it was read from
  bool empty() const { return id.empty(); }
  bool operator==(const OsInfo&) const = default;
};

}  // namespace bulwark::core
