#include "catalog/binary_identifier.hpp"

#include <fnmatch.h>
#include <hs.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <unordered_map>

#include "core/path.hpp"
#include "core/purl.hpp"

namespace bulwark::catalog {

using core::Result;

namespace {

// Directories where runtimes are installed by hand (official images' /usr/local, JDKs and
// tarballs under /opt). A rule's file names are looked for only here, except names written
// "*/name", which match at any depth: each entry then costs one exact-path lookup, not a
// suffix or glob test per rule.
constexpr std::string_view kBinaryDirs[] = {"bin",
                                            "sbin",
                                            "usr/bin",
                                            "usr/sbin",
                                            "usr/local/bin",
                                            "usr/local/sbin",
                                            "lib",
                                            "lib64",
                                            "usr/lib",
                                            "usr/lib64",
                                            "usr/local/lib",
                                            "usr/lib/x86_64-linux-gnu",
                                            "usr/lib/aarch64-linux-gnu",
                                            "opt/bin",
                                            "opt/node/bin",
                                            "usr/local/node/bin",
                                            "opt/python/bin",
                                            "usr/local/nginx/sbin",
                                            "opt/redis/bin"};

constexpr size_t kChunkBytes = size_t{1} << 20;
constexpr size_t kKeepBytes = 4096;  // tail kept so that a match across chunks can be read
constexpr size_t kMaxPendingPerChunk = 4096;

std::vector<std::string> split_words(std::string_view s) {
  std::vector<std::string> out;
  size_t p = 0;
  while (p < s.size()) {
    while (p < s.size() && s[p] == ' ') ++p;
    size_t q = p;
    while (q < s.size() && s[q] != ' ') ++q;
    if (q > p) out.emplace_back(s.substr(p, q - p));
    p = q;
  }
  return out;
}

bool is_literal(std::string_view glob) {
  return glob.find_first_of("*?[") == std::string::npos;
}

std::string_view base_name(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// Dotted numeric comparison for Pick::kHighest ("7.0.15" > "7.0.0" > "6.2.14").
bool version_less(std::string_view a, std::string_view b) {
  while (!a.empty() || !b.empty()) {
    auto take = [](std::string_view& s) {
      uint64_t v = 0;
      auto dot = s.find('.');
      auto part = s.substr(0, dot);
      std::from_chars(part.data(), part.data() + part.size(), v);
      s = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
      return v;
    };
    auto x = take(a);
    auto y = take(b);
    if (x != y) return x < y;
  }
  return false;
}

struct CompiledRule {
  const BinaryRule* rule;
  std::vector<std::string> globs;
  std::regex version;                      // the pattern, for group 1
  std::optional<std::regex> name_version;  // over the file name
  // One database per rule: a file is scanned only with the rules its name selects (usually
  // one), so the frequent "\0<digit>" prefixes of the python and redis rules cost nothing on
  // a node binary.
  hs_database_t* db = nullptr;
};

struct Engine {
  std::vector<CompiledRule> rules;
  std::string error;  // set when the table does not compile (a programming error)
  Engine() {
    auto table = binary_rules();
    for (size_t i = 0; i < table.size() && i < 64 && error.empty(); ++i) {
      const auto& r = table[i];
      CompiledRule c{&r, split_words(r.files),
                     std::regex(std::string(r.pattern), std::regex::ECMAScript), std::nullopt};
      if (!r.name_version.empty()) c.name_version.emplace(std::string(r.name_version));
      std::string pattern(r.pattern);
      hs_compile_error_t* err = nullptr;
      if (hs_compile(pattern.c_str(), HS_FLAG_DOTALL | HS_FLAG_SOM_LEFTMOST,
                     HS_MODE_STREAM | HS_MODE_SOM_HORIZON_SMALL, nullptr, &c.db,
                     &err) != HS_SUCCESS) {
        error = std::string(r.package) + ": " +
                (err != nullptr && err->message != nullptr ? err->message : "unknown error");
        hs_free_compile_error(err);
        c.db = nullptr;
      }
      rules.push_back(std::move(c));
    }
  }
  ~Engine() {
    for (auto& r : rules) hs_free_database(r.db);
  }
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;
};

const Engine& engine() {
  static const Engine e;
  return e;
}

struct ScratchDeleter {
  void operator()(hs_scratch_t* s) const { hs_free_scratch(s); }
};

// Scratch space per thread (layers are analyzed in parallel), grown to fit every rule's
// database once.
Result<hs_scratch_t*> thread_scratch(const Engine& eng) {
  thread_local std::unique_ptr<hs_scratch_t, ScratchDeleter> scratch;
  if (scratch) return scratch.get();
  hs_scratch_t* s = nullptr;
  for (const auto& r : eng.rules) {
    if (hs_alloc_scratch(r.db, &s) != HS_SUCCESS) {
      hs_free_scratch(s);
      return core::Error::internal("binary identifier: cannot allocate Vectorscan scratch");
    }
  }
  scratch.reset(s);
  return s;
}

struct Match {
  uint64_t from, to;
};

struct RuleScan {
  size_t rule = 0;
  hs_stream_t* stream = nullptr;
  std::vector<Match> pending;
  std::string prefix;  // required version prefix from the file name ("3.11.")
  std::optional<std::string> version;
  bool done = false;
};

int on_match(unsigned /*id*/, unsigned long long from, unsigned long long to, unsigned /*flags*/,
             void* ctx) {
  auto* rs = static_cast<RuleScan*>(ctx);
  if (to - from > kMaxBinaryMatchBytes || rs->pending.size() >= kMaxPendingPerChunk) return 0;
  rs->pending.push_back({from, to});
  return 0;
}

}  // namespace

Result<std::vector<core::Package>> identify_binary(std::string_view path,
                                                   image::EntryContent& content) {
  const auto& eng = engine();
  if (!eng.error.empty()) {
    return core::Error::internal("binary identifier rules do not compile: " + eng.error);
  }
  std::string name(base_name(path));
  std::vector<RuleScan> scans;
  for (size_t i = 0; i < eng.rules.size(); ++i) {
    const auto& r = eng.rules[i];
    bool applies = std::any_of(r.globs.begin(), r.globs.end(), [&](const std::string& g) {
      const char* glob = g.starts_with("*/") ? g.c_str() + 2 : g.c_str();
      return fnmatch(glob, name.c_str(), 0) == 0;
    });
    if (!applies) continue;
    RuleScan rs;
    rs.rule = i;
    if (r.name_version) {
      std::smatch m;
      if (!std::regex_match(name, m, *r.name_version) || m.size() < 2) continue;
      rs.prefix = m[1].str() + ".";
    }
    scans.push_back(std::move(rs));
  }
  std::vector<core::Package> found;
  if (scans.empty()) return found;

  BW_ASSIGN_OR_RETURN(auto* scratch, thread_scratch(eng));
  auto close_all = [&]() {
    for (auto& rs : scans) {
      if (rs.stream != nullptr) hs_close_stream(rs.stream, scratch, nullptr, nullptr);
      rs.stream = nullptr;
    }
  };
  for (auto& rs : scans) {
    if (hs_open_stream(eng.rules[rs.rule].db, 0, &rs.stream) != HS_SUCCESS) {
      close_all();
      return core::Error::internal("binary identifier: cannot open a Vectorscan stream");
    }
  }

  thread_local std::vector<char> chunk;  // reused: most offered files are small
  chunk.resize(kChunkBytes);
  std::string tail;  // the kKeepBytes before the current chunk, for matches that straddle
  uint64_t offset = 0;
  size_t chunk_len = 0;

  // The bytes [from, to) of the file, from the tail and the current chunk.
  auto bytes_at = [&](uint64_t from, uint64_t to) -> std::optional<std::string> {
    uint64_t tail_start = offset - tail.size();
    if (from < tail_start || to > offset + chunk_len) return std::nullopt;
    std::string out;
    for (uint64_t p = from; p < to; ++p) {
      out += p < offset ? tail[p - tail_start] : chunk[p - offset];
    }
    return out;
  };
  auto settle = [&](RuleScan& rs) {
    const auto& rule = eng.rules[rs.rule];
    for (const auto& m : rs.pending) {
      if (rs.done) break;
      auto bytes = bytes_at(m.from, m.to);
      if (!bytes) continue;
      std::smatch sm;
      if (!std::regex_match(*bytes, sm, rule.version) || sm.size() < 2) continue;
      std::string v = sm[1].str();
      if (!rs.prefix.empty() && !v.starts_with(rs.prefix)) continue;
      if (rule.rule->pick == BinaryRule::Pick::kFirst) {
        rs.version = v;
        rs.done = true;
      } else if (!rs.version || version_less(*rs.version, v)) {
        rs.version = v;
      }
    }
    rs.pending.clear();
  };

  Result<void> status = core::ok();
  while (offset < kMaxBinaryScanBytes) {
    auto want = static_cast<size_t>(std::min<uint64_t>(kChunkBytes, kMaxBinaryScanBytes - offset));
    auto n = content.read(std::as_writable_bytes(std::span(chunk.data(), want)));
    if (!n.ok()) {
      status = std::move(n).error();
      break;
    }
    if (*n == 0) break;
    chunk_len = *n;
    bool all_done = true;
    for (auto& rs : scans) {
      if (rs.done) continue;
      if (hs_scan_stream(rs.stream, chunk.data(), static_cast<unsigned>(chunk_len), 0, scratch,
                         on_match, &rs) != HS_SUCCESS) {
        status = core::Error::internal("binary identifier: Vectorscan scan failed");
        break;
      }
      settle(rs);
      all_done = all_done && rs.done;
    }
    if (!status.ok() || all_done) break;
    // Keep the last kKeepBytes of what has been read.
    if (chunk_len >= kKeepBytes) {
      tail.assign(chunk.data() + chunk_len - kKeepBytes, kKeepBytes);
    } else {
      tail.append(chunk.data(), chunk_len);
      if (tail.size() > kKeepBytes) tail.erase(0, tail.size() - kKeepBytes);
    }
    offset += chunk_len;
    chunk_len = 0;
  }
  close_all();  // no pattern is anchored at the end, so closing reports nothing new
  BW_TRY(status);

  for (const auto& rs : scans) {
    if (!rs.version) continue;
    const auto& rule = *eng.rules[rs.rule].rule;
    core::Package pkg;
    pkg.name = std::string(rule.package);
    pkg.version = *rs.version;
    pkg.ecosystem = std::string(rule.purl_type);
    pkg.purl = core::PackageUrl{std::string(rule.purl_type), "", pkg.name, pkg.version, {}, ""}
                   .to_string();
    found.push_back(std::move(pkg));
  }
  return found;
}

std::vector<image::PathPattern> BinaryIdentifierCataloger::patterns() const {
  std::set<std::string> anywhere, exact, globs;
  for (const auto& r : binary_rules()) {
    for (const auto& g : split_words(r.files)) {
      if (g.starts_with("*/")) {
        anywhere.insert(g.substr(1));
        continue;
      }
      for (auto dir : kBinaryDirs)
        (is_literal(g) ? exact : globs).insert(std::string(dir) + "/" + g);
    }
  }
  std::vector<image::PathPattern> out;
  for (const auto& s : anywhere) {
    out.push_back(image::PathPattern::suffix(s));
    out.push_back(image::PathPattern::exact(s.substr(1)));
  }
  for (const auto& e : exact) out.push_back(image::PathPattern::exact(e));
  for (const auto& g : globs) out.push_back(image::PathPattern::glob(g));
  return out;
}

Result<void> BinaryIdentifierCataloger::analyze(const image::Entry& entry,
                                                image::EntryContent& content,
                                                image::LayerFacts& out) const {
  if (entry.type != image::EntryType::kFile && entry.type != image::EntryType::kHardlink) {
    return core::ok();
  }
  BW_ASSIGN_OR_RETURN(auto pkgs, identify_binary(entry.path, content));
  if (!pkgs.empty()) out.packages_by_path[entry.path] = std::move(pkgs);
  return core::ok();
}

void BinaryIdentifierCataloger::finalize(const MergeContext& ctx,
                                         std::vector<core::Package>& packages) const {
  if (packages.empty()) return;
  // Paths of our evidence by file name, so that only same-named listed files are resolved.
  std::unordered_map<std::string_view, std::vector<std::string_view>> by_name;
  for (const auto& p : packages) {
    for (const auto& l : p.locations) by_name[base_name(l.path)].push_back(l.path);
  }
  // Files that an installed OS package owns: dpkg's *.list, apk's F:/R: lines and rpm's file
  // list, all attached to the packages by their catalogers, which finalize before this one.
  std::set<std::string> owned;
  for (const auto& pkg : ctx.cataloged()) {
    if (pkg.ecosystem != "deb" && pkg.ecosystem != "apk" && pkg.ecosystem != "rpm") continue;
    for (const auto& f : pkg.files) {
      auto it = by_name.find(base_name(f));
      if (it == by_name.end()) continue;
      auto resolved = ctx.fs().resolve(f);
      for (auto ev : it->second) {
        if (f == ev || (resolved && *resolved == ev)) owned.emplace(ev);
      }
    }
  }
  if (owned.empty()) return;
  std::erase_if(packages, [&](const core::Package& p) {
    return std::any_of(p.locations.begin(), p.locations.end(),
                       [&](const core::Location& l) { return owned.count(l.path) != 0; });
  });
}

}  // namespace bulwark::catalog
