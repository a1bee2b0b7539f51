#include "secret/engine.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <hs/hs.h>
#include <pcre2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/digest.hpp"

namespace bulwark::secret {

using core::Error;
using core::Result;

namespace {

// Longest window re-scanned before a match end; also how much of the previous chunk is kept.
constexpr size_t kMaxWindow = 4096;
// Bounds for one file: candidate matches kept and Vectorscan hits examined.
constexpr size_t kMaxCandidates = 1000;
constexpr size_t kMaxHits = 100000;
constexpr uint32_t kPcreMatchLimit = 200000;

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string pcre_error(int code) {
  std::array<PCRE2_UCHAR, 256> buf{};
  pcre2_get_error_message(code, buf.data(), buf.size());
  return reinterpret_cast<const char*>(buf.data());
}

struct Pcre {
  pcre2_code* code = nullptr;
  Pcre() = default;
  Pcre(const Pcre&) = delete;
  Pcre& operator=(const Pcre&) = delete;
  Pcre(Pcre&& o) noexcept : code(std::exchange(o.code, nullptr)) {}
  Pcre& operator=(Pcre&& o) noexcept {
    std::swap(code, o.code);
    return *this;
  }
  ~Pcre() {
    if (code != nullptr) pcre2_code_free(code);
  }
};

Result<Pcre> compile_pcre(const std::string& pattern) {
  int err = 0;
  PCRE2_SIZE off = 0;
  Pcre p;
  p.code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), 0, &err,
                         &off, nullptr);
  if (p.code == nullptr)
    return Error::invalid(pcre_error(err) + " at offset " + std::to_string(off));
  pcre2_jit_compile(p.code, PCRE2_JIT_COMPLETE);  // falls back to the interpreter if it fails
  return p;
}

struct MatchData {
  pcre2_match_data* md = pcre2_match_data_create(64, nullptr);
  pcre2_match_context* ctx = pcre2_match_context_create(nullptr);
  MatchData() {
    pcre2_set_match_limit(ctx, kPcreMatchLimit);
    pcre2_set_depth_limit(ctx, 10000);
  }
  ~MatchData() {
    pcre2_match_data_free(md);
    pcre2_match_context_free(ctx);
  }
  MatchData(const MatchData&) = delete;
  MatchData& operator=(const MatchData&) = delete;
};

MatchData& match_data() {
  thread_local MatchData md;
  return md;
}

bool pcre_search(const Pcre& p, std::string_view s) {
  auto& m = match_data();
  return pcre2_match(p.code, reinterpret_cast<PCRE2_SPTR>(s.data()), s.size(), 0, 0, m.md, m.ctx) >
         0;
}

struct CompiledAllowlist {
  std::vector<Pcre> paths;
  std::vector<Pcre> regexes;
  RegexTarget target = RegexTarget::kSecret;
  std::vector<std::string> stopwords;  // lower case
  bool require_all = false;
  std::vector<std::string> target_rules;
};

Result<CompiledAllowlist> compile_allowlist(const Allowlist& a, const std::string& where) {
  CompiledAllowlist c;
  for (const auto& p : a.paths) {
    auto r = compile_pcre(p);
    if (!r.ok())
      return Error::invalid(where + ": allowlist path '" + p + "': " + r.error().message());
    c.paths.push_back(std::move(r).value());
  }
  for (const auto& p : a.regexes) {
    auto r = compile_pcre(p);
    if (!r.ok())
      return Error::invalid(where + ": allowlist regex '" + p + "': " + r.error().message());
    c.regexes.push_back(std::move(r).value());
  }
  c.target = a.regex_target;
  for (const auto& s : a.stopwords) c.stopwords.push_back(lower(s));
  c.require_all = a.require_all;
  c.target_rules = a.target_rules;
  return c;
}

// Does the allowlist let this candidate go? `path_hit` was decided when the file was opened.
bool allows(const CompiledAllowlist& a, bool path_hit, std::string_view secret,
            std::string_view match, std::string_view line) {
  std::string_view target = a.target == RegexTarget::kSecret  ? secret
                            : a.target == RegexTarget::kMatch ? match
                                                              : line;
  auto regex_hit = [&] {
    return std::any_of(a.regexes.begin(), a.regexes.end(),
                       [&](const Pcre& p) { return pcre_search(p, target); });
  };
  auto stop_hit = [&] {
    if (a.stopwords.empty()) return false;
    std::string s = lower(secret);
    return std::any_of(a.stopwords.begin(), a.stopwords.end(),
                       [&](const std::string& w) { return s.find(w) != std::string::npos; });
  };
  if (a.require_all) {
    if (a.paths.empty() && a.regexes.empty() && a.stopwords.empty()) return false;
    return (a.paths.empty() || path_hit) && (a.regexes.empty() || regex_hit()) &&
           (a.stopwords.empty() || stop_hit());
  }
  return path_hit || regex_hit() || stop_hit();
}

std::atomic<uint64_t> g_engine_generation{1};

std::string hs_literal(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    char buf[5];
    std::snprintf(buf, sizeof buf, "\\x%02x", c);
    out += buf;
  }
  return out;
}

}  // namespace

double shannon_entropy(std::string_view s) {
  if (s.empty()) return 0;
  std::array<uint32_t, 256> counts{};
  for (unsigned char c : s) ++counts[c];
  double h = 0;
  const double n = static_cast<double>(s.size());
  for (uint32_t c : counts) {
    if (c == 0) continue;
    double p = c / n;
    h -= p * std::log2(p);
  }
  return h;
}

std::string redact(std::string_view secret) {
  // Count characters, not bytes, so a multi-byte UTF-8 character is never cut in half.
  size_t keep = 0;
  int chars = 0;
  while (keep < secret.size() && chars < 4) {
    unsigned char c = static_cast<unsigned char>(secret[keep]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    keep += len;
    ++chars;
  }
  if (keep >= secret.size()) return std::string(std::min<size_t>(secret.size(), 4), '*');
  keep = std::min(keep, secret.size());
  size_t masked = std::min<size_t>(secret.size() - keep, 16);
  return std::string(secret.substr(0, keep)) + std::string(std::max<size_t>(masked, 4), '*');
}

bool looks_binary(std::string_view b) {
  b = b.substr(0, kBinarySniffBytes);
  if (b.find('\0') != std::string_view::npos) return true;
  size_t bad = 0;
  for (size_t i = 0; i < b.size();) {
    unsigned char c = static_cast<unsigned char>(b[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = len != 0;
    // A sequence cut by the end of the block is not counted against the file.
    for (size_t k = 1; ok && k < len && i + k < b.size(); ++k)
      ok = (static_cast<unsigned char>(b[i + k]) & 0xC0) == 0x80;
    if (!ok) {
      ++bad;
      ++i;
    } else {
      i += len;
    }
  }
  return bad * 10 > b.size();
}

struct Engine::Impl {
  RuleSet set;
  std::string fingerprint;
  uint64_t generation = g_engine_generation++;
  hs_database_t* db = nullptr;
  struct CompiledRule {
    Pcre end_anchored;  // "(?:regex)\z": the leftmost start of a match ending at a hit
    Pcre path;          // only when rule.path is set
    Pcre plain;         // prefilter rules: the regex itself, searched in the window
    bool has_regex = false;
    bool prefilter = false;  // Vectorscan approximates the pattern; PCRE2 decides
    size_t width = kMaxWindow;
    int groups = 0;
    std::vector<CompiledAllowlist> allowlists;
    std::vector<unsigned> keyword_ids;
  };
  std::vector<CompiledRule> rules;
  std::vector<CompiledAllowlist> global;
  unsigned keyword_base = 0;
  unsigned keyword_count = 0;
  bool any_path_rules = false;

  ~Impl() {
    if (db != nullptr) hs_free_database(db);
  }
};

struct ScratchCache {
  hs_scratch_t* scratch = nullptr;
  uint64_t generation = 0;
  ~ScratchCache() {
    if (scratch != nullptr) hs_free_scratch(scratch);
  }
};

hs_scratch_t* thread_scratch(const Engine::Impl& e) {
  thread_local ScratchCache cache;
  if (cache.generation != e.generation) {
    if (hs_alloc_scratch(e.db, &cache.scratch) != HS_SUCCESS) return nullptr;
    cache.generation = e.generation;
  }
  return cache.scratch;
}

Engine::Engine() : impl_(std::make_unique<Impl>()) {}
Engine::~Engine() = default;
const RuleSet& Engine::rules() const {
  return impl_->set;
}
const std::string& Engine::fingerprint() const {
  return impl_->fingerprint;
}

namespace {

std::string db_cache_path(const std::string& dir, const std::string& fingerprint) {
  hs_platform_info_t platform{};
  hs_populate_platform(&platform);
  std::string key = fingerprint + "|" + hs_version() + "|" + std::to_string(platform.tune) + "|" +
                    std::to_string(platform.cpu_features);
  return dir + "/secret-rules-" + core::Sha256::hex_of(key).substr(0, 32) + ".hsdb";
}

// The cache directory must be ours and private: a database planted by someone else would be
// trusted bytes for Vectorscan.
bool private_dir(const std::string& dir) {
  std::error_code ec;
  auto parent = std::filesystem::path(dir).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return false;
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return false;
  return st.st_uid == ::geteuid() && (st.st_mode & 022) == 0;
}

hs_database_t* load_cached_db(const std::string& dir, const std::string& path) {
  if (!private_dir(dir)) return nullptr;
  std::ifstream f(path, std::ios::binary);
  if (!f) return nullptr;
  std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  hs_database_t* db = nullptr;
  if (hs_deserialize_database(data.data(), data.size(), &db) != HS_SUCCESS) return nullptr;
  return db;
}

void store_cached_db(const std::string& dir, const std::string& path, const hs_database_t* db) {
  char* bytes = nullptr;
  size_t len = 0;
  if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS) return;
  std::error_code ec;
  if (!private_dir(dir)) {
    std::free(bytes);
    return;
  }
  std::string tmp = path + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(bytes, static_cast<std::streamsize>(len));
    if (!f) ec = std::make_error_code(std::errc::io_error);
  }
  std::free(bytes);
  if (!ec) std::filesystem::rename(tmp, path, ec);
  if (ec) std::filesystem::remove(tmp, ec);
}

}  // namespace

Result<std::shared_ptr<const Engine>> Engine::compile(RuleSet set,
                                                      const std::string& db_cache_dir) {
  std::shared_ptr<Engine> engine(new Engine());
  auto& e = *engine->impl_;
  e.set = std::move(set);
  std::vector<std::string> errors;
  std::vector<std::string> exprs;
  std::vector<unsigned> flags, ids;
  std::string fp;
  for (size_t i = 0; i < e.set.rules.size(); ++i) {
    const Rule& r = e.set.rules[i];
    fp += r.id + '\x1f' + r.regex + '\x1f' + std::to_string(r.secret_group) + '\x1f' +
          std::to_string(r.entropy) + '\x1f' + r.path + '\x1f' +
          std::to_string(r.enforce_keywords) + '\x1f';
    for (const auto& k : r.keywords) fp += k + ',';
    fp += '\x1e';
    Impl::CompiledRule c;
    const std::string where = "rule '" + r.id + "'";
    if (r.regex.empty() && r.path.empty()) {
      errors.push_back(where + ": neither regex nor path");
      e.rules.push_back(std::move(c));
      continue;
    }
    if (!r.path.empty()) {
      auto p = compile_pcre(r.path);
      if (!p.ok())
        errors.push_back(where + ": path '" + r.path + "': " + p.error().message());
      else
        c.path = std::move(p).value();
      e.any_path_rules = true;
    }
    for (const auto& a : r.allowlists) {
      auto ca = compile_allowlist(a, where);
      if (!ca.ok())
        errors.push_back(ca.error().message());
      else
        c.allowlists.push_back(std::move(ca).value());
    }
    if (!r.regex.empty()) {
      c.has_regex = true;
      auto p = compile_pcre("(?:" + r.regex + ")\\z");
      if (!p.ok()) {
        errors.push_back(where + ": regex does not compile: " + p.error().message());
        e.rules.push_back(std::move(c));
        continue;
      }
      c.end_anchored = std::move(p).value();
      uint32_t count = 0;
      pcre2_pattern_info(c.end_anchored.code, PCRE2_INFO_CAPTURECOUNT, &count);
      c.groups = static_cast<int>(count);
      if (r.secret_group < 0 || r.secret_group > c.groups) {
        errors.push_back(where + ": secretGroup " + std::to_string(r.secret_group) +
                         " but the regex has " + std::to_string(c.groups) + " groups");
      }
      hs_expr_info_t* info = nullptr;
      hs_compile_error_t* err = nullptr;
      unsigned f = 0;
      if (hs_expression_info(r.regex.c_str(), f, &info, &err) != HS_SUCCESS) {
        hs_free_compile_error(err);
        err = nullptr;
        // Constructs Vectorscan lacks (lookaround, backreferences): scan for a superset and
        // let PCRE2 confirm.
        f = HS_FLAG_PREFILTER;
        if (hs_expression_info(r.regex.c_str(), f, &info, &err) != HS_SUCCESS) {
          errors.push_back(where + ": regex not supported by Vectorscan: " +
                           std::string(err != nullptr ? err->message : "unknown error"));
          hs_free_compile_error(err);
          e.rules.push_back(std::move(c));
          continue;
        }
        c.prefilter = true;
        auto plain = compile_pcre(r.regex);
        if (plain.ok()) c.plain = std::move(plain).value();
      }
      if (info->min_width == 0) {
        errors.push_back(where + ": regex matches the empty string");
      }
      if (!c.prefilter && info->max_width != UINT_MAX)
        c.width = std::min<size_t>(info->max_width, kMaxWindow);
      std::free(info);
      exprs.push_back(r.regex);
      flags.push_back(f);
      ids.push_back(static_cast<unsigned>(i));
    }
    e.rules.push_back(std::move(c));
  }
  // Keyword literals of rules that enforce them (gitleaks semantics), reported once per file.
  e.keyword_base = static_cast<unsigned>(e.set.rules.size());
  std::vector<std::string> keywords;
  for (size_t i = 0; i < e.set.rules.size(); ++i) {
    const Rule& r = e.set.rules[i];
    if (!r.enforce_keywords || r.keywords.empty()) continue;
    for (const auto& k : r.keywords) {
      if (k.empty()) continue;
      std::string lk = lower(k);
      auto it = std::find(keywords.begin(), keywords.end(), lk);
      unsigned id = static_cast<unsigned>(it - keywords.begin());
      if (it == keywords.end()) keywords.push_back(lk);
      e.rules[i].keyword_ids.push_back(id);
    }
  }
  e.keyword_count = static_cast<unsigned>(keywords.size());
  for (size_t k = 0; k < keywords.size(); ++k) {
    exprs.push_back(hs_literal(keywords[k]));
    flags.push_back(HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH);
    ids.push_back(e.keyword_base + static_cast<unsigned>(k));
  }
  for (size_t i = 0; i < e.set.allowlists.size(); ++i) {
    auto ca = compile_allowlist(e.set.allowlists[i], "allowlist " + std::to_string(i + 1));
    if (!ca.ok())
      errors.push_back(ca.error().message());
    else
      e.global.push_back(std::move(ca).value());
    for (const auto& p : e.set.allowlists[i].paths) fp += "ap:" + p + '\x1f';
    for (const auto& p : e.set.allowlists[i].regexes) fp += "ar:" + p + '\x1f';
    for (const auto& p : e.set.allowlists[i].stopwords) fp += "as:" + p + '\x1f';
  }
  if (!errors.empty()) {
    std::string msg = "secret rules: " + errors.front();
    if (errors.size() > 1) msg += " (and " + std::to_string(errors.size() - 1) + " more)";
    for (size_t i = 1; i < errors.size() && i < 10; ++i) msg += "; " + errors[i];
    return Error::invalid(msg);
  }
  std::string cached_path;
  if (!exprs.empty() && !db_cache_dir.empty()) {
    cached_path = db_cache_path(db_cache_dir, core::Sha256::hex_of(fp + "|keywords:" + [&] {
                                  std::string k;
                                  for (const auto& w : keywords) k += w + ',';
                                  return k;
                                }()));
    e.db = load_cached_db(db_cache_dir, cached_path);
  }
  if (!exprs.empty() && e.db == nullptr) {
    std::vector<const char*> cexprs;
    for (const auto& x : exprs) cexprs.push_back(x.c_str());
    hs_compile_error_t* err = nullptr;
    if (hs_compile_multi(cexprs.data(), flags.data(), ids.data(),
                         static_cast<unsigned>(cexprs.size()), HS_MODE_STREAM, nullptr, &e.db,
                         &err) != HS_SUCCESS) {
      std::string what = "the rule set";
      if (err != nullptr && err->expression >= 0 &&
          static_cast<size_t>(err->expression) < ids.size()) {
        unsigned id = ids[static_cast<size_t>(err->expression)];
        what = id < e.keyword_base ? "rule '" + e.set.rules[id].id + "'"
                                   : "keyword '" + keywords[id - e.keyword_base] + "'";
      }
      std::string m = err != nullptr ? err->message : "unknown error";
      hs_free_compile_error(err);
      return Error::invalid("secret rules: " + what + " does not compile: " + m);
    }
    if (!cached_path.empty()) store_cached_db(db_cache_dir, cached_path, e.db);
  }
  e.fingerprint = core::Sha256::hex_of(fp);
  return std::shared_ptr<const Engine>(std::move(engine));
}

struct FileScan::Impl {
  const Engine::Impl& e;
  std::string path;
  hs_stream_t* stream = nullptr;
  hs_scratch_t* scratch = nullptr;
  bool first = true;
  bool stopped = false;  // hit bounds reached or Vectorscan failed: the rest is not scanned
  uint64_t base = 0;     // offset of the current chunk
  std::string_view chunk;
  std::string tail;  // up to kMaxWindow bytes before `base`
  std::string window;
  uint64_t counted_pos = 0, counted_lines = 0;  // newlines before counted_pos
  struct Hit {
    unsigned id;
    uint64_t end;
  };
  std::vector<Hit> hits;
  size_t total_hits = 0;
  struct Candidate {
    size_t rule;
    uint64_t start, end;  // the whole match
    uint64_t secret_offset;
    std::string secret, match, line;
    uint64_t line_no;
  };
  std::vector<Candidate> pending;  // the latest candidate per rule, may still grow
  std::vector<Candidate> done;
  std::vector<char> keyword_seen;
  std::vector<char> rule_off;     // rules whose path does not match this file
  std::vector<char> global_path;  // per global allowlist: does its path match?
  std::vector<std::vector<char>> rule_path_allow;

  explicit Impl(const Engine::Impl& engine) : e(engine) {}
  void match_allowlist_paths();
  ~Impl() {
    if (stream != nullptr) hs_close_stream(stream, nullptr, nullptr, nullptr);
  }

  static int on_hit(unsigned id, unsigned long long /*from*/, unsigned long long to,
                    unsigned /*flags*/, void* ctx) {
    auto* self = static_cast<Impl*>(ctx);
    if (id >= self->e.keyword_base) {
      self->keyword_seen[id - self->e.keyword_base] = 1;
      return 0;
    }
    if (++self->total_hits > kMaxHits) return 1;  // stop: pathological input
    self->hits.push_back({id, to});
    return 0;
  }

  uint64_t tail_base() const { return base - tail.size(); }

  // Bytes [from, to) from the kept tail and the current chunk.
  std::string_view bytes(uint64_t from, uint64_t to) {
    if (from >= base) return chunk.substr(from - base, to - from);
    uint64_t tb = tail_base();
    if (to <= base) return std::string_view(tail).substr(from - tb, to - from);
    window.assign(tail, from - tb, std::string::npos);
    window.append(chunk.substr(0, to - base));
    return window;
  }
  uint64_t available_end() const { return base + chunk.size(); }

  uint64_t newlines_before(uint64_t pos) {
    if (pos >= counted_pos) {
      auto b = bytes(counted_pos, pos);
      counted_lines += static_cast<uint64_t>(std::count(b.begin(), b.end(), '\n'));
    } else {
      auto b = bytes(pos, counted_pos);
      counted_lines -= static_cast<uint64_t>(std::count(b.begin(), b.end(), '\n'));
    }
    counted_pos = pos;
    return counted_lines;
  }

  std::string line_around(uint64_t start, uint64_t end) {
    uint64_t lo = std::max(tail_base(), start >= 1024 ? start - 1024 : 0);
    uint64_t hi = std::min(available_end(), end + 1024);
    std::string s(bytes(lo, hi));
    size_t a = s.rfind('\n', start - lo);
    a = a == std::string::npos ? 0 : a + 1;
    size_t b = s.find('\n', end - lo);
    return s.substr(a, b == std::string::npos ? std::string::npos : b - a);
  }

  void finalize(Candidate&& c) {
    if (done.size() < kMaxCandidates) done.push_back(std::move(c));
  }

  void process_hit(const Hit& h) {
    const auto& cr = e.rules[h.id];
    if (!rule_off.empty() && rule_off[h.id] != 0) return;
    uint64_t lo_bound = tail_base();
    uint64_t w0 = h.end > cr.width ? h.end - cr.width : 0;
    w0 = std::max(w0, lo_bound);
    uint64_t l0 = w0 > lo_bound ? w0 - 1 : w0;  // one byte of look-behind for \b and ^
    auto subject = bytes(l0, h.end);
    std::string subject_copy;
    if (subject.data() == window.data()) {
      subject_copy.assign(subject);  // `window` is reused by line_around()
      subject = subject_copy;
    }
    auto& m = match_data();
    const Pcre& code = cr.prefilter ? cr.plain : cr.end_anchored;
    int rc = pcre2_match(code.code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(),
                         w0 - l0, 0, m.md, m.ctx);
    if (rc <= 0) return;
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(m.md);
    int group = e.set.rules[h.id].secret_group;
    if (group == 0 && cr.groups > 0) group = 1;
    if (group >= rc || ov[2 * group] == PCRE2_UNSET) return;
    uint64_t ms = l0 + ov[0], me = l0 + ov[1];
    uint64_t ss = l0 + ov[2 * group], se = l0 + ov[2 * group + 1];
    if (se <= ss) return;
    for (auto& p : pending) {
      if (p.rule != h.id) continue;
      if (p.start == ms && me > p.end) {  // the same match, longer (variable-width tail)
        p.end = me;
        p.secret_offset = ss;
        p.secret.assign(subject.substr(ss - l0, se - ss));
        p.match.assign(subject.substr(ms - l0, me - ms));
        p.line = line_around(ms, me);
        return;
      }
      if (ms < p.end) return;  // overlaps the pending match: not a new secret
      finalize(std::move(p));
      p = make_candidate(h.id, subject, l0, ms, me, ss, se);
      return;
    }
    pending.push_back(make_candidate(h.id, subject, l0, ms, me, ss, se));
  }

  Candidate make_candidate(size_t rule, std::string_view subject, uint64_t l0, uint64_t ms,
                           uint64_t me, uint64_t ss, uint64_t se) {
    Candidate c;
    c.rule = rule;
    c.start = ms;
    c.end = me;
    c.secret_offset = ss;
    c.secret.assign(subject.substr(ss - l0, se - ss));
    c.match.assign(subject.substr(ms - l0, me - ms));
    c.line_no = newlines_before(ss) + 1;
    c.line = line_around(ms, me);
    return c;
  }

  void drain_hits() {
    for (const auto& h : hits) process_hit(h);
    hits.clear();
  }

  void keep_tail() {
    if (chunk.size() >= kMaxWindow) {
      tail.assign(chunk.substr(chunk.size() - kMaxWindow));
    } else {
      tail.append(chunk);
      if (tail.size() > kMaxWindow) tail.erase(0, tail.size() - kMaxWindow);
    }
  }
};

FileScan::FileScan(const Engine& engine, std::string path)
    : impl_(std::make_unique<Impl>(*engine.impl_)) {
  auto& s = *impl_;
  s.path = std::move(path);
  const auto& e = *engine.impl_;
  if (e.keyword_count > 0) s.keyword_seen.assign(e.keyword_count, 0);
  if (e.any_path_rules) {
    s.rule_off.assign(e.rules.size(), 0);
    for (size_t i = 0; i < e.rules.size(); ++i) {
      if (e.rules[i].path.code != nullptr && !pcre_search(e.rules[i].path, s.path))
        s.rule_off[i] = 1;
    }
  }
  // The allowlists' path matches (global_path, rule_path_allow) are computed in finish(), and
  // only for a file with candidates; the Vectorscan stream is opened by the first write, once
  // the file is known not to be binary. Most files of an image have neither.
}

void FileScan::Impl::match_allowlist_paths() {
  for (const auto& g : e.global) {
    bool hit = std::any_of(g.paths.begin(), g.paths.end(),
                           [&](const Pcre& p) { return pcre_search(p, path); });
    global_path.push_back(hit ? 1 : 0);
  }
  rule_path_allow.reserve(e.rules.size());
  for (const auto& r : e.rules) {
    std::vector<char> v;
    for (const auto& a : r.allowlists) {
      v.push_back(std::any_of(a.paths.begin(), a.paths.end(),
                              [&](const Pcre& p) { return pcre_search(p, path); })
                      ? 1
                      : 0);
    }
    rule_path_allow.push_back(std::move(v));
  }
}

FileScan::~FileScan() = default;

void FileScan::write(std::string_view chunk) {
  auto& s = *impl_;
  if (chunk.empty()) return;
  if (s.first) {
    s.first = false;
    binary_ = looks_binary(chunk);
    if (!binary_ && s.e.db != nullptr) {
      s.scratch = thread_scratch(s.e);
      if (s.scratch == nullptr || hs_open_stream(s.e.db, 0, &s.stream) != HS_SUCCESS)
        s.stopped = true;
    }
  }
  if (binary_ || s.stopped || s.stream == nullptr) return;
  s.chunk = chunk;
  hs_error_t rc = hs_scan_stream(s.stream, chunk.data(), static_cast<unsigned>(chunk.size()), 0,
                                 s.scratch, &Impl::on_hit, &s);
  s.drain_hits();
  if (rc != HS_SUCCESS) s.stopped = true;
  s.newlines_before(s.available_end());
  s.keep_tail();
  s.base += chunk.size();
  s.chunk = {};
}

std::vector<SecretMatch> FileScan::finish() {
  auto& s = *impl_;
  const auto& e = s.e;
  std::vector<SecretMatch> out;
  if (s.stream != nullptr && !binary_) {
    if (!s.stopped) {
      hs_close_stream(s.stream, s.scratch, &Impl::on_hit, &s);
      s.drain_hits();
    } else {
      hs_close_stream(s.stream, nullptr, nullptr, nullptr);
    }
    s.stream = nullptr;
  }
  if (s.stream != nullptr) {
    hs_close_stream(s.stream, nullptr, nullptr, nullptr);
    s.stream = nullptr;
  }
  for (auto& p : s.pending) s.finalize(std::move(p));
  s.pending.clear();
  if (!s.done.empty()) s.match_allowlist_paths();
  std::stable_sort(s.done.begin(), s.done.end(),
                   [](const auto& a, const auto& b) { return a.secret_offset < b.secret_offset; });
  for (const auto& c : s.done) {
    const Rule& r = e.set.rules[c.rule];
    const auto& cr = e.rules[c.rule];
    if (!cr.keyword_ids.empty() &&
        std::none_of(cr.keyword_ids.begin(), cr.keyword_ids.end(),
                     [&](unsigned k) { return s.keyword_seen[k] != 0; })) {
      continue;
    }
    double h = shannon_entropy(c.secret);
    if (r.entropy > 0 && h < r.entropy) continue;
    bool allowed = false;
    for (size_t i = 0; i < cr.allowlists.size() && !allowed; ++i)
      allowed =
          allows(cr.allowlists[i], s.rule_path_allow[c.rule][i] != 0, c.secret, c.match, c.line);
    for (size_t i = 0; i < e.global.size() && !allowed; ++i) {
      const auto& g = e.global[i];
      if (!g.target_rules.empty() &&
          std::find(g.target_rules.begin(), g.target_rules.end(), r.id) == g.target_rules.end())
        continue;
      allowed = allows(g, s.global_path[i] != 0, c.secret, c.match, c.line);
    }
    if (allowed) continue;
    out.push_back({&r, c.line_no, c.secret_offset, redact(c.secret), h});
  }
  // Path-only rules: the file itself is the finding (e.g. a keystore by its name).
  for (size_t i = 0; i < e.rules.size(); ++i) {
    if (e.rules[i].has_regex || e.rules[i].path.code == nullptr) continue;
    if (!s.rule_off.empty() && s.rule_off[i] != 0) continue;
    out.push_back({&e.set.rules[i], 0, 0, "", 0});
  }
  return out;
}

std::unique_ptr<FileScan> Engine::open(std::string_view path) const {
  for (const auto& g : impl_->global) {
    // Under OR, a matching path alone allows every finding of the file: skip it unread.
    if (g.require_all || !g.target_rules.empty()) continue;
    for (const auto& p : g.paths)
      if (pcre_search(p, path)) return nullptr;
  }
  return std::unique_ptr<FileScan>(new FileScan(*this, std::string(path)));
}

std::vector<SecretMatch> Engine::scan(std::string_view path, std::string_view data) const {
  auto f = open(path);
  if (!f) return {};
  f->write(data);
  return f->finish();
}

}  // namespace bulwark::secret
