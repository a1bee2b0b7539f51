#include "catalog/java.hpp"

#include <algorithm>
#include <cctype>
#include <functional>

#include "catalog/entry_bytes.hpp"
#include "catalog/zip_reader.hpp"
#include "core/limits.hpp"
#include "core/path.hpp"
#include "core/purl.hpp"
#include "core/text.hpp"

namespace bulwark::catalog {

using core::Result;

namespace {

constexpr std::string_view kArchiveSuffixes[] = {".jar", ".war", ".ear", ".jpi", ".hpi"};
constexpr std::string_view kMavenDir = "META-INF/maven/";
constexpr std::string_view kPomProperties = "/pom.properties";
constexpr std::string_view kManifest = "META-INF/MANIFEST.MF";

bool is_java_archive_name(std::string_view path) {
  for (auto s : kArchiveSuffixes) {
    if (path.size() > s.size()) {
      auto tail = path.substr(path.size() - s.size());
      if (std::equal(tail.begin(), tail.end(), s.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == b;
          })) {
        return true;
      }
    }
  }
  return false;
}

std::string_view base_name(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// Placeholders a build forgot to substitute ("${project.version}") are not identities.
bool usable(std::string_view v) {
  return !v.empty() && v.find("${") == std::string_view::npos;
}

std::string get(const std::map<std::string, std::string>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? std::string() : it->second;
}

core::Package make_package(const std::string& group, const std::string& artifact,
                           const std::string& version) {
  core::Package p;
  p.name = group.empty() ? artifact : group + ":" + artifact;
  p.version = version;
  p.ecosystem = "maven";
  // Without a groupId the purl has no namespace (the maven type wants one); it is still the
  // most honest identifier we can give.
  p.purl = core::PackageUrl{"maven", group, artifact, version, {}, ""}.to_string();
  return p;
}

struct Pom {
  std::string group, artifact, version;
};

class ArchiveWalker {
 public:
  ArchiveWalker(InflateBudget& budget, JavaParseResult& out) : budget_(budget), out_(out) {}

  // `where` is the nesting prefix for messages ("" for the outer archive, "lib/a.jar: ");
  // `nest` is the archive's path inside the outer one ("" for the outer archive,
  // "BOOT-INF/lib/a.jar", "lib/b.war!/WEB-INF/lib/c.jar" two levels down).
  Result<void> visit(std::string_view data, std::string_view file_name, uint32_t depth,
                     const std::string& where, const std::string& nest) {
    std::vector<Pom> poms;
    std::map<std::string, std::string> manifest;
    std::vector<std::string> warnings;
    ZipVisit v;
    v.want = [&](std::string_view path) {
      if (path == kManifest) return true;
      if (path.starts_with(kMavenDir) && path.ends_with(kPomProperties)) return true;
      if (is_java_archive_name(path)) {
        if (depth + 1 <= core::limits().max_archive_depth) return true;
        warnings.push_back(std::string(path) + ": nested deeper than " +
                           std::to_string(core::limits().max_archive_depth) +
                           " archives; not read");
      }
      return false;
    };
    v.on_content = [&](std::string_view path, std::string content) -> Result<void> {
      if (path == kManifest) {
        manifest = parse_jar_manifest(content);
      } else if (path.starts_with(kMavenDir) && path.ends_with(kPomProperties)) {
        poms.push_back(read_pom(path, content));
      } else {
        std::string nested_where = where + std::string(path) + ": ";
        std::string inner = nest.empty() ? std::string(path) : nest + "!/" + std::string(path);
        auto r = visit(content, base_name(path), depth + 1, nested_where, inner);
        if (!r.ok()) {
          if (r.error().code() == core::ErrorCode::kLimitExceeded) return r;
          // One corrupt library does not hide the rest of the application.
          out_.warnings.push_back(std::string(path) + ": " + r.error().message());
        }
      }
      return core::ok();
    };
    auto r = walk_zip(data, budget_, v, warnings);
    for (auto& w : warnings) out_.warnings.push_back(where + w);
    if (!r.ok()) return r;
    size_t first = out_.packages.size();
    add_packages(poms, manifest, file_name);
    if (!nest.empty()) {
      for (size_t i = first; i < out_.packages.size(); ++i) {
        out_.packages[i].locations = {core::Location{nest}};
      }
    }
    return core::ok();
  }

 private:
  static Pom read_pom(std::string_view path, std::string_view content) {
    auto props = parse_java_properties(content);
    Pom pom{get(props, "groupId"), get(props, "artifactId"), get(props, "version")};
    // META-INF/maven/<groupId>/<artifactId>/pom.properties names them when the file does not.
    auto inner =
        path.substr(kMavenDir.size(), path.size() - kMavenDir.size() - kPomProperties.size());
    auto slash = inner.find('/');
    if (slash != std::string_view::npos) {
      if (!usable(pom.group)) pom.group = std::string(inner.substr(0, slash));
      if (!usable(pom.artifact)) pom.artifact = std::string(inner.substr(slash + 1));
    }
    return pom;
  }

  void add_packages(const std::vector<Pom>& poms, const std::map<std::string, std::string>& mf,
                    std::string_view file_name) {
    auto from_file = split_archive_file_name(file_name);
    std::string title = get(mf, "Implementation-Title");
    std::string symbolic = get(mf, "Bundle-SymbolicName");
    symbolic = symbolic.substr(0, symbolic.find(';'));  // "name;singleton:=true"
    std::string license = get(mf, "Bundle-License");
    bool license_usable = usable(license) && license.find("://") == std::string::npos;

    bool self_found = false;
    for (const auto& pom : poms) {
      if (!usable(pom.artifact) || !usable(pom.version)) continue;
      auto pkg = make_package(usable(pom.group) ? pom.group : "", pom.artifact, pom.version);
      bool self = poms.size() == 1 || pom.artifact == from_file.name || pom.artifact == title ||
                  pom.artifact == symbolic;
      if (self) {
        self_found = true;
        if (license_usable) pkg.licenses = {license};
      }
      out_.packages.push_back(std::move(pkg));
    }
    if (self_found) return;
    bool any_pom = std::any_of(poms.begin(), poms.end(), [](const Pom& p) {
      return usable(p.artifact) && usable(p.version);
    });
    if (any_pom) {
      // Poms, but none named like the archive: a renamed jar (Debian's maven3-core.jar holds
      // maven-core's pom) or a shaded jar. The file name alone is too weak to add a package
      // then; an explicit manifest identity (an artifact-like title and a version) is not.
      auto id_like = [](const std::string& t) {
        return usable(t) && t.find_first_of(" \t") == std::string::npos;
      };
      std::string id = id_like(title) ? title : id_like(symbolic) ? symbolic : "";
      std::string v = get(mf, "Implementation-Version");
      if (!usable(v)) v = get(mf, "Bundle-Version");
      if (id.empty() || !usable(v)) return;
      std::string g = get(mf, "Implementation-Vendor-Id");
      auto pkg = make_package(usable(g) ? g : "", id, v);
      if (license_usable) pkg.licenses = {license};
      out_.packages.push_back(std::move(pkg));
      return;
    }
    // The archive's own identity when no pom.properties describes it (Gradle builds, OSGi
    // bundles, or a shaded jar carrying only its dependencies' poms).
    std::string artifact = from_file.name;
    if (artifact.empty()) artifact = usable(title) ? title : symbolic;
    std::string version;
    for (const auto* key : {"Implementation-Version", "Bundle-Version", "Specification-Version"}) {
      if (usable(get(mf, key))) {
        version = get(mf, key);
        break;
      }
    }
    if (!from_file.version.empty() && get(mf, "Implementation-Version").empty()) {
      version = from_file.version;  // the file name beats OSGi and spec versions
    }
    if (!usable(artifact) || !usable(version)) return;
    std::string group = get(mf, "Implementation-Vendor-Id");
    auto pkg = make_package(usable(group) ? group : "", artifact, version);
    if (license_usable) pkg.licenses = {license};
    out_.packages.push_back(std::move(pkg));
  }

  InflateBudget& budget_;
  JavaParseResult& out_;
};

// Splits text into lines, accepting \n, \r\n and \r.
template <typename Fn>
void for_each_line(std::string_view text, Fn&& fn) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) end = text.size();
    fn(text.substr(pos, end - pos));
    if (end < text.size() && text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n') {
      ++end;
    }
    pos = end + 1;
  }
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Resolves Properties escapes in one key or value.
std::string unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    switch (c) {
      case 't':
        out += '\t';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 'f':
        out += '\f';
        break;
      case 'u': {
        uint32_t cp = 0;
        size_t j = 0;
        for (; j < 4 && i + 1 + j < s.size() &&
               std::isxdigit(static_cast<unsigned char>(s[i + 1 + j]));
             ++j) {
          char h = static_cast<char>(std::tolower(static_cast<unsigned char>(s[i + 1 + j])));
          cp = cp * 16 + static_cast<uint32_t>(h <= '9' ? h - '0' : h - 'a' + 10);
        }
        i += j;
        append_utf8(out, cp);
        break;
      }
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::map<std::string, std::string> parse_java_properties(std::string_view text) {
  std::map<std::string, std::string> out;
  std::string logical;
  bool continuing = false;
  auto finish = [&](std::string_view line) {
    size_t i = 0;
    // The key ends at the first unescaped '=', ':' or blank.
    std::string_view key_end_chars = "=: \t\f";
    while (i < line.size()) {
      if (line[i] == '\\') {
        i += 2;
        continue;
      }
      if (key_end_chars.find(line[i]) != std::string_view::npos) break;
      ++i;
    }
    i = std::min(i, line.size());
    auto key = line.substr(0, i);
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\f')) ++i;
    if (i < line.size() && (line[i] == '=' || line[i] == ':')) ++i;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\f')) ++i;
    out[unescape(key)] = unescape(line.substr(i));
  };
  for_each_line(text, [&](std::string_view raw) {
    std::string_view line = raw;
    size_t lead = line.find_first_not_of(" \t\f");
    line = lead == std::string_view::npos ? std::string_view() : line.substr(lead);
    if (!continuing) {
      if (line.empty() || line.front() == '#' || line.front() == '!') return;
      logical.clear();
    }
    // An odd number of trailing backslashes continues the line.
    size_t slashes = 0;
    while (slashes < line.size() && line[line.size() - 1 - slashes] == '\\') ++slashes;
    if (slashes % 2 == 1) {
      logical.append(line.substr(0, line.size() - 1));
      continuing = true;
      return;
    }
    logical.append(line);
    continuing = false;
    finish(logical);
  });
  if (continuing) finish(logical);
  return out;
}

std::map<std::string, std::string> parse_jar_manifest(std::string_view text) {
  std::map<std::string, std::string> out;
  std::string last;
  bool done = false;
  for_each_line(text, [&](std::string_view line) {
    if (done) return;
    if (line.empty()) {
      if (!out.empty()) done = true;  // the main section ends at the first blank line
      return;
    }
    if (line.front() == ' ') {  // continuation of a value wrapped at 72 bytes
      if (!last.empty()) out[last].append(line.substr(1));
      return;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return;
    last = std::string(core::trim(line.substr(0, colon)));
    out[last] = std::string(core::trim(line.substr(colon + 1)));
  });
  for (auto& [k, v] : out) v = std::string(core::trim(v));
  return out;
}

ArchiveFileName split_archive_file_name(std::string_view file_name) {
  auto dot = file_name.rfind('.');
  auto stem = dot == std::string_view::npos ? file_name : file_name.substr(0, dot);
  for (size_t i = stem.size(); i-- > 0;) {
    if (stem[i] == '-' && i + 1 < stem.size() &&
        std::isdigit(static_cast<unsigned char>(stem[i + 1])) && i > 0) {
      return {std::string(stem.substr(0, i)), std::string(stem.substr(i + 1))};
    }
  }
  return {std::string(stem), ""};
}

std::string nested_location(std::string_view outer, std::string_view inner) {
  return std::string(outer) + std::string(kNestedSeparator) + std::string(inner);
}

Result<JavaParseResult> parse_java_archive(std::string_view data, std::string_view file_name) {
  JavaParseResult out;
  InflateBudget budget(data.size());
  ArchiveWalker walker(budget, out);
  BW_TRY(walker.visit(data, file_name, 0, "", ""));
  return out;
}

std::vector<image::PathPattern> JavaArchiveCataloger::patterns() const {
  std::vector<image::PathPattern> p;
  for (auto s : kArchiveSuffixes) p.push_back(image::PathPattern::suffix(std::string(s)));
  return p;
}

Result<void> JavaArchiveCataloger::analyze(const image::Entry& entry, image::EntryContent& content,
                                           image::LayerFacts& out) const {
  std::string storage;
  BW_ASSIGN_OR_RETURN(auto data, entry_bytes(content, storage));
  BW_ASSIGN_OR_RETURN(auto parsed, parse_java_archive(data, base_name(entry.path)));
  for (auto& w : parsed.warnings) out.warnings.push_back(entry.path + ": " + w);
  // A nested archive's packages are located at "outer.jar!/BOOT-INF/lib/inner.jar"
  // (docs/java-locations.md); the SBOM merge keeps such paths inside the evidence file.
  for (auto& p : parsed.packages) {
    for (auto& l : p.locations) l.path = nested_location(entry.path, l.path);
  }
  if (!parsed.packages.empty()) out.packages_by_path[entry.path] = std::move(parsed.packages);
  return core::ok();
}

}  // namespace bulwark::catalog
