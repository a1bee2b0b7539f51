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

// Directories where file-name globs are looked for (literal names are matched anywhere): the
// reader's glob index keys on a literal parent directory, so a wildcard rule costs nothing
// for entries elsewhere.
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
                                            "opt/python/bin",
                                            "opt/bin"};

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
};

struct Engine {
  std::vector<CompiledRule> rules;
  hs_database_t* db = nullptr;
  std::string error;  // set when the table does not compile (a programming error)
  Engine() {
    std::vector<std::string> patterns;
    std::vector<const char*> exprs;
    std::vector<unsigned> flags, ids;
    auto table = binary_rules();
    for (size_t i = 0; i < table.size(); ++i) {
      const auto& r = table[i];
      CompiledRule c{&r, split_words(r.files),
                     std::regex(std::string(r.pattern), std::regex::ECMAScript), std::nullopt};
      if (!r.name_version.empty()) c.name_version.emplace(std::string(r.name_version));
      rules.push_back(std::move(c));
      patterns.emplace_back(r.pattern);
    }
    for (size_t i = 0; i < patterns.size(); ++i) {
      exprs.push_back(patterns[i].c_str());
      flags.push_back(HS_FLAG_DOTALL | HS_FLAG_SOM_LEFTMOST);
      ids.push_back(static_cast<unsigned>(i));
    }
    hs_compile_error_t* err = nullptr;
    if (hs_compile_multi(
            exprs.data(), flags.data(), ids.data(), static_cast<unsigned>(exprs.size()),
            HS_MODE_STREAM | HS_MODE_SOM_HORIZON_SMALL, nullptr, &db, &err) != HS_SUCCESS) {
      error = err != nullptr && err->message != nullptr ? err->message : "unknown error";
      if (err != nullptr) error += " (rule " + std::to_string(err->expression) + ")";
      hs_free_compile_error(err);
      db = nullptr;
    }
  }
  ~Engine() { hs_free_database(db); }
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

// Scratch space per thread (layers are analyzed in parallel).
Result<hs_scratch_t*> thread_scratch(const hs_database_t* db) {
  thread_local std::unique_ptr<hs_scratch_t, ScratchDeleter> scratch;
  hs_scratch_t* s = scratch.release();
  if (hs_alloc_scratch(db, &s) != HS_SUCCESS) {
    return core::Error::internal("binary identifier: cannot allocate Vectorscan scratch");
  }
  scratch.reset(s);
  return s;
}

struct Match {
  unsigned id;
  uint64_t from, to;
};

struct ScanState {
  uint64_t candidates = 0;  // bit per rule that applies to this file
  std::vector<Match> pending;
};

int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned /*flags*/,
             void* ctx) {
  auto* st = static_cast<ScanState*>(ctx);
  if ((st->candidates & (uint64_t{1} << id)) == 0) return 0;
  if (to - from > kMaxBinaryMatchBytes || st->pending.size() >= kMaxPendingPerChunk) return 0;
  st->pending.push_back({id, from, to});
  return 0;
}

struct RuleAnswer {
  std::optional<std::string> version;
  bool done = false;
};

}  // namespace

Result<std::vector<core::Package>> identify_binary(std::string_view path,
                                                   image::EntryContent& content) {
  const auto& eng = engine();
  if (eng.db == nullptr) {
    return core::Error::internal("binary identifier rules do not compile: " + eng.error);
  }
  auto name = base_name(path);
  std::string name_str(name);
  ScanState st;
  std::vector<std::string> name_prefix(eng.rules.size());
  for (size_t i = 0; i < eng.rules.size() && i < 64; ++i) {
    const auto& r = eng.rules[i];
    bool applies = std::any_of(r.globs.begin(), r.globs.end(), [&](const std::string& g) {
      return fnmatch(g.c_str(), name_str.c_str(), 0) == 0;
    });
    if (!applies) continue;
    if (r.name_version) {
      std::smatch m;
      if (!std::regex_match(name_str, m, *r.name_version) || m.size() < 2) continue;
      name_prefix[i] = m[1].str() + ".";
    }
    st.candidates |= uint64_t{1} << i;
  }
  std::vector<core::Package> found;
  if (st.candidates == 0) return found;

  BW_ASSIGN_OR_RETURN(auto* scratch, thread_scratch(eng.db));
  hs_stream_t* stream = nullptr;
  if (hs_open_stream(eng.db, 0, &stream) != HS_SUCCESS) {
    return core::Error::internal("binary identifier: cannot open a Vectorscan stream");
  }
  std::vector<RuleAnswer> answers(eng.rules.size());
  std::string window;  // bytes [window_start, window_start + window.size()) of the file
  uint64_t window_start = 0;
  uint64_t offset = 0;
  thread_local std::vector<char> chunk;  // reused: most offered files are small
  chunk.resize(kChunkBytes);

  auto settle = [&]() {
    for (const auto& m : st.pending) {
      auto& ans = answers[m.id];
      const auto& rule = eng.rules[m.id];
      if (ans.done || m.from < window_start) continue;
      std::string bytes = window.substr(m.from - window_start, m.to - m.from);
      std::smatch sm;
      if (!std::regex_match(bytes, sm, rule.version) || sm.size() < 2) continue;
      std::string v = sm[1].str();
      if (!name_prefix[m.id].empty() && !v.starts_with(name_prefix[m.id])) continue;
      if (rule.rule->pick == BinaryRule::Pick::kFirst) {
        ans.version = v;
        ans.done = true;
      } else if (!ans.version || version_less(*ans.version, v)) {
        ans.version = v;
      }
    }
    st.pending.clear();
  };
  auto all_done = [&]() {
    for (size_t i = 0; i < answers.size(); ++i) {
      if ((st.candidates & (uint64_t{1} << i)) != 0 && !answers[i].done) return false;
    }
    return true;
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
    window.append(chunk.data(), *n);
    if (hs_scan_stream(stream, chunk.data(), static_cast<unsigned>(*n), 0, scratch, on_match,
                       &st) != HS_SUCCESS) {
      status = core::Error::internal("binary identifier: Vectorscan scan failed");
      break;
    }
    offset += *n;
    settle();
    if (all_done()) break;
    if (window.size() > kKeepBytes) {
      window_start += window.size() - kKeepBytes;
      window.erase(0, window.size() - kKeepBytes);
    }
  }
  hs_close_stream(stream, scratch, on_match, &st);
  settle();
  BW_TRY(status);

  for (size_t i = 0; i < answers.size(); ++i) {
    if (!answers[i].version) continue;
    const auto& rule = *eng.rules[i].rule;
    core::Package pkg;
    pkg.name = std::string(rule.package);
    pkg.version = *answers[i].version;
    pkg.ecosystem = std::string(rule.purl_type);
    pkg.purl = core::PackageUrl{std::string(rule.purl_type), "", pkg.name, pkg.version, {}, ""}
                   .to_string();
    found.push_back(std::move(pkg));
  }
  return found;
}

std::vector<image::PathPattern> BinaryIdentifierCataloger::patterns() const {
  std::set<std::string> suffixes, globs;
  for (const auto& r : binary_rules()) {
    for (const auto& g : split_words(r.files)) {
      if (is_literal(g)) {
        suffixes.insert(g);
      } else {
        for (auto dir : kBinaryDirs) globs.insert(std::string(dir) + "/" + g);
      }
    }
  }
  std::vector<image::PathPattern> out;
  for (const auto& s : suffixes) {
    out.push_back(image::PathPattern::suffix("/" + s));
    out.push_back(image::PathPattern::exact(s));
  }
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
  std::set<std::string> owned;
  constexpr std::string_view kInfoDir = "var/lib/dpkg/info/";
  for (const auto& layer : ctx.layers()) {
    for (const auto& [list, files] : layer.facts.facts_by_path) {
      if (!list.starts_with(kInfoDir) || !list.ends_with(".list")) continue;
      if (ctx.facts(list) != &files) continue;  // not the visible version of the list
      for (const auto& f : files) {
        auto it = by_name.find(base_name(f));
        if (it == by_name.end()) continue;
        auto resolved = ctx.fs().resolve(f);
        for (auto ev : it->second) {
          if (f == ev || (resolved && *resolved == ev)) owned.emplace(ev);
        }
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
