#include "catalog/debian_changelog.hpp"

#include <isa-l/igzip_lib.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <memory>
#include <optional>

#include "catalog/changelog.hpp"
#include "core/limits.hpp"

namespace bulwark::catalog {

using core::Error;
using core::Result;

namespace {

// Character classes as dpkg's Perl regexes see bytes (no Unicode semantics): \s, \w, \d.
constexpr bool ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
constexpr bool digit(char c) {
  return c >= '0' && c <= '9';
}
constexpr bool alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool word(char c) {
  return alpha(c) || digit(c) || c == '_';
}
// [-+0-9a-z.] under /i: a package or distribution name character.
constexpr bool name_char(char c) {
  return alpha(c) || digit(c) || c == '-' || c == '+' || c == '.';
}
constexpr char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}
bool iprefix(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && iequal(s.substr(0, p.size()), p);
}
bool all_ws(std::string_view s) {
  for (char c : s)
    if (!ws(c)) return false;
  return true;
}
size_t skip(std::string_view s, size_t i, bool (*cls)(char)) {
  while (i < s.size() && cls(s[i])) ++i;
  return i;
}
bool ws_fn(char c) {
  return ws(c);
}
bool word_fn(char c) {
  return word(c);
}
bool digit_fn(char c) {
  return digit(c);
}

// Header: `^(\w[-+0-9a-z.]*) \(([^\(\) \t]+)\)((?:\s+[-+0-9a-z.]+)+)\;(.*?)\s*$` (case-blind).
// Returns the version text.
std::optional<std::string_view> match_header(std::string_view l) {
  const size_t n = l.size();
  if (n == 0 || !word(l[0])) return std::nullopt;
  size_t i = 1;
  while (i < n && name_char(l[i])) ++i;
  if (i + 1 >= n || l[i] != ' ' || l[i + 1] != '(') return std::nullopt;
  i += 2;
  const size_t vs = i;
  while (i < n && l[i] != '(' && l[i] != ')' && l[i] != ' ' && l[i] != '\t') ++i;
  if (i == vs || i >= n || l[i] != ')') return std::nullopt;
  std::string_view version = l.substr(vs, i - vs);
  ++i;
  int dists = 0;
  while (true) {
    size_t j = skip(l, i, ws_fn);
    if (j == i) break;
    size_t k = j;
    while (k < n && name_char(l[k])) ++k;
    if (k == j) break;
    i = k;
    ++dists;
  }
  if (dists == 0 || i >= n || l[i] != ';') return std::nullopt;
  return version;
}

// The trailer's date: `((\w+)\,\s*)?\d{1,2}\s+(\w+)\s+\d{4}\s+\d{1,2}:\d\d:\d\d\s+[-+]\d{4}\s*$`.
bool match_trailer_date(std::string_view t) {
  const size_t n = t.size();
  size_t i = 0;
  size_t w = skip(t, 0, word_fn);
  if (w > 0 && w < n && t[w] == ',') i = skip(t, w + 1, ws_fn);
  auto digits = [&](size_t lo, size_t hi) {
    size_t s = i;
    while (i < n && digit(t[i]) && i - s < hi) ++i;
    return i - s >= lo;
  };
  auto spaces = [&] {
    size_t s = i;
    i = skip(t, i, ws_fn);
    return i > s;
  };
  auto lit = [&](char c) {
    if (i < n && t[i] == c) {
      ++i;
      return true;
    }
    return false;
  };
  if (!digits(1, 2) || !spaces()) return false;
  size_t m = skip(t, i, word_fn);
  if (m == i) return false;
  i = m;
  if (!spaces() || !digits(4, 4) || !spaces()) return false;
  if (!digits(1, 2) || !lit(':') || !digits(2, 2) || !lit(':') || !digits(2, 2) || !spaces())
    return false;
  if (!(lit('+') || lit('-')) || !digits(4, 4)) return false;
  return all_ws(t.substr(i));
}

// Trailer: `^ \-\- (.*) <(.*)>(  ?)DATE\s*$`.
bool match_trailer(std::string_view l) {
  if (!l.starts_with(" -- ")) return false;
  size_t q = l.find(" <", 4);
  if (q == std::string_view::npos) return false;
  for (size_t p = l.size(); p-- > q + 2;) {
    if (l[p] != '>') continue;
    size_t s = p + 1;
    if (s >= l.size() || l[s] != ' ') continue;
    ++s;
    if (s < l.size() && l[s] == ' ') ++s;
    if (match_trailer_date(l.substr(s))) return true;
  }
  return false;
}

// dpkg's $ancient_delimiter_re (case-blind): the start of a pre-policy changelog, after which
// dpkg keeps the rest of the file verbatim instead of parsing entries.
class AncientMatcher {
 public:
  explicit AncientMatcher(std::string_view t) : t_(t) {
    // For `\s+.*\s+[<(].*[)>]`: the last "<" or "(" preceded by whitespace that still has a
    // ")" or ">" after it.
    size_t close = t.find_last_of(")>");
    if (close != std::string_view::npos && close >= 2) {
      for (size_t i = close - 1; i-- > 0;) {
        if (ws(t[i]) && (t[i + 1] == '<' || t[i + 1] == '(')) {
          open_ = i;
          break;
        }
      }
    }
  }

  bool matches() const {
    return gnu_expanded() || gnu_old() || header_without_options() || debian_revision() ||
           changes_from() || changes_for() || old_changelog() || bare_version();
  }

 private:
  // `\s+.*\s+[<(].*[)>]` from d.
  bool tail(size_t d) const {
    return d < t_.size() && ws(t_[d]) && open_ != std::string_view::npos && open_ >= d + 1;
  }
  // `\w+\s+\w+\s+`; returns the position after, or npos.
  size_t two_words(size_t i) const {
    for (int k = 0; k < 2; ++k) {
      size_t w = skip(t_, i, word_fn);
      if (w == i) return std::string_view::npos;
      size_t s = skip(t_, w, ws_fn);
      if (s == w) return std::string_view::npos;
      i = s;
    }
    return i;
  }
  size_t digits_upto(size_t i, size_t hi) const {
    size_t e = i;
    while (e < t_.size() && digit(t_[e]) && e - i < hi) ++e;
    return e;
  }
  bool four_digits(size_t i) const {
    return i + 4 <= t_.size() && digit(t_[i]) && digit(t_[i + 1]) && digit(t_[i + 2]) &&
           digit(t_[i + 3]);
  }
  // `\w+\s+\w+\s+\d{1,2} \d{1,2}:\d{1,2}:\d{1,2}\s+[\w\s]*\d{4}` + tail
  bool gnu_expanded() const {
    size_t i = two_words(0);
    if (i == std::string_view::npos) return false;
    size_t e = digits_upto(i, 2);
    if (e == i || e >= t_.size() || t_[e] != ' ') return false;
    i = e + 1;
    for (int k = 0; k < 3; ++k) {
      e = digits_upto(i, 2);
      if (e == i) return false;
      i = e;
      if (k < 2) {
        if (i >= t_.size() || t_[i] != ':') return false;
        ++i;
      }
    }
    if (i >= t_.size() || !ws(t_[i])) return false;
    ++i;
    size_t region_end = i;
    while (region_end < t_.size() && (word(t_[region_end]) || ws(t_[region_end]))) ++region_end;
    for (size_t k = i; k + 4 <= region_end; ++k) {
      if (four_digits(k) && tail(k + 4)) return true;
    }
    return false;
  }
  // `\w+\s+\w+\s+\d{1,2},?\s*\d{4}` + tail
  bool gnu_old() const {
    size_t i = two_words(0);
    if (i == std::string_view::npos) return false;
    for (size_t len = 1; len <= 2; ++len) {
      if (digits_upto(i, len) != i + len) continue;
      size_t j = i + len;
      if (j < t_.size() && t_[j] == ',') ++j;
      j = skip(t_, j, ws_fn);
      if (four_digits(j) && tail(j + 4)) return true;
    }
    return false;
  }
  // `\w[-+0-9a-z.]* \([^\(\) \t]+\)` (a header without "; key=value")
  bool header_without_options() const {
    if (t_.empty() || !word(t_[0])) return false;
    size_t i = 1;
    while (i < t_.size() && name_char(t_[i])) ++i;
    if (i + 1 >= t_.size() || t_[i] != ' ' || t_[i + 1] != '(') return false;
    i += 2;
    size_t v = i;
    while (i < t_.size() && t_[i] != '(' && t_[i] != ')' && t_[i] != ' ' && t_[i] != '\t') ++i;
    return i > v && i < t_.size() && t_[i] == ')';
  }
  // `[\w.+-]+[- ]\S+ Debian \S+`
  bool debian_revision() const {
    auto run_char = [](char c) { return word(c) || c == '.' || c == '+' || c == '-'; };
    size_t r = 0;
    while (r < t_.size() && run_char(t_[r])) ++r;
    if (r == 0) return false;
    auto rest_ok = [&](size_t b) {
      return b + 8 < t_.size() + 0 && iequal(t_.substr(b, 8), " debian ") && !ws(t_[b + 8]);
    };
    // Separator ' ' right after the run.
    if (r < t_.size() && t_[r] == ' ') {
      size_t b = r + 1;
      while (b < t_.size() && !ws(t_[b])) ++b;
      if (b > r + 1 && rest_ok(b)) return true;
    }
    // Separator '-' inside the run: the \S+ after it ends at the first whitespace.
    size_t fw = r;
    while (fw < t_.size() && !ws(t_[fw])) ++fw;
    for (size_t a = 1; a < r; ++a) {
      if (t_[a] == '-' && fw > a + 1 && rest_ok(fw)) return true;
    }
    return false;
  }
  // `Changes from version .* to .*:`
  bool changes_from() const {
    constexpr std::string_view kPrefix = "changes from version ";
    if (!iprefix(t_, kPrefix)) return false;
    for (size_t p = kPrefix.size(); p + 4 <= t_.size(); ++p) {
      if (iequal(t_.substr(p, 4), " to ")) return t_.find(':', p + 4) != std::string_view::npos;
    }
    return false;
  }
  // `Changes for [\w.+-]+-[\w.+-]+:?\s*$`
  bool changes_for() const {
    constexpr std::string_view kPrefix = "changes for ";
    if (!iprefix(t_, kPrefix)) return false;
    size_t s = kPrefix.size();
    size_t e = s;
    while (e < t_.size() && (word(t_[e]) || t_[e] == '.' || t_[e] == '+' || t_[e] == '-')) ++e;
    bool inner_hyphen = false;
    for (size_t j = s + 1; j + 1 < e; ++j) inner_hyphen = inner_hyphen || t_[j] == '-';
    if (!inner_hyphen) return false;
    size_t k = e;
    if (k < t_.size() && t_[k] == ':') ++k;
    return all_ws(t_.substr(k));
  }
  // `Old Changelog:\s*$`
  bool old_changelog() const {
    constexpr std::string_view kPrefix = "old changelog:";
    return iprefix(t_, kPrefix) && all_ws(t_.substr(kPrefix.size()));
  }
  // `(?:\d+:)?\w[\w.+~-]*:?\s*$`
  bool bare_version() const {
    auto core = [&](size_t i) {
      if (i >= t_.size() || !word(t_[i])) return false;
      ++i;
      while (i < t_.size() &&
             (word(t_[i]) || t_[i] == '.' || t_[i] == '+' || t_[i] == '~' || t_[i] == '-'))
        ++i;
      if (i < t_.size() && t_[i] == ':') ++i;
      return all_ws(t_.substr(i));
    };
    if (core(0)) return true;
    size_t d = skip(t_, 0, digit_fn);
    return d > 0 && d < t_.size() && t_[d] == ':' && core(d + 1);
  }

  std::string_view t_;
  size_t open_ = std::string_view::npos;
};

// Dpkg::Version::version_check: what dpkg-parsechangelog accepts as an entry's version.
bool dpkg_version_valid(std::string_view v) {
  if (v.empty()) return false;
  for (char c : v) {
    if (!(alpha(c) || digit(c) || c == '-' || c == '+' || c == ':' || c == '.' || c == '~'))
      return false;
  }
  std::string_view rest = v;
  size_t colon = v.find(':');
  if (colon != std::string_view::npos && colon + 1 < v.size()) {
    std::string_view epoch = v.substr(0, colon);
    if (epoch.empty()) return false;
    for (char c : epoch)
      if (!digit(c)) return false;
    rest = v.substr(colon + 1);
  }
  size_t hyphen = rest.rfind('-');
  std::string_view upstream = rest;
  if (hyphen != std::string_view::npos) {
    if (hyphen + 1 == rest.size()) return false;  // empty revision
    upstream = rest.substr(0, hyphen);
  }
  return !upstream.empty() && digit(upstream.front());
}

enum class Expect { kFirstHeading, kNextOrEof, kStartChanges, kChangesOrTrailer };

class Parser {
 public:
  DebianChangelog run(std::string_view text) {
    size_t pos = 0;
    size_t line_no = 0;
    while (pos < text.size() && stop_.empty()) {
      size_t eol = text.find('\n', pos);
      if (eol == std::string_view::npos) eol = text.size();
      std::string_view line = text.substr(pos, eol - pos);
      pos = eol + 1;
      ++line_no;
      if (!line_(line, line_no)) break;
    }
    if (stop_.empty() && (expect_ == Expect::kStartChanges || expect_ == Expect::kChangesOrTrailer))
      warn(line_no, "end of file inside an entry (no trailer)");
    if (nonempty_) push();
    if (out_.entries.empty()) warn(line_no, "no changelog entry");
    if (!stop_.empty()) out_.warnings.push_back(stop_);
    if (suppressed_ > 0)
      out_.warnings.push_back(std::to_string(suppressed_) + " more malformed lines");
    return std::move(out_);
  }

 private:
  static constexpr size_t kMaxWarnings = 8;

  void warn(size_t line_no, std::string_view what) {
    if (out_.warnings.size() >= kMaxWarnings) {
      ++suppressed_;
      return;
    }
    out_.warnings.push_back("line " + std::to_string(line_no) + ": " + std::string(what));
  }

  void push() {
    const auto max = core::limits().max_changelog_entries;
    if (out_.entries.size() >= max) {
      if (stop_.empty())
        stop_ = "more than " + std::to_string(max) + " entries; the older ones were not read";
      cur_ = {};
      nonempty_ = false;
      return;
    }
    out_.entries.push_back(std::move(cur_));
    cur_ = {};
    nonempty_ = false;
  }

  void changes(std::string_view line) {
    nonempty_ = true;
    ids_.clear();
    find_cve_ids(line, ids_);
    if (ids_.empty()) return;
    for (auto& id : ids_) {
      bool dup = false;
      for (const auto& c : cur_.cves) dup = dup || c.cve == id;
      if (dup) continue;
      if (cves_ >= core::limits().max_changelog_cves) {
        stop_ = "more than " + std::to_string(core::limits().max_changelog_cves) +
                " CVE mentions; the older ones were not read";
        return;
      }
      ++cves_;
      cur_.cves.push_back({std::move(id), cur_.version, evidence_line(line)});
    }
  }

  // One line, classified in dpkg's order. False: the rest of the file is not changelog entries.
  bool line_(std::string_view line, size_t line_no) {
    // Most lines are change data ("  * ...", "    - ..."): no other class starts with two
    // blanks and a non-blank.
    if (line.size() > 2 && line[0] == ' ' && line[1] == ' ' && !ws(line[2]) &&
        (expect_ == Expect::kStartChanges || expect_ == Expect::kChangesOrTrailer)) {
      changes(line);
      expect_ = Expect::kChangesOrTrailer;
      return true;
    }
    if (auto version = match_header(line)) {
      if (expect_ != Expect::kFirstHeading && expect_ != Expect::kNextOrEof)
        warn(line_no, "entry header where change data or a trailer was expected");
      if (nonempty_) push();
      nonempty_ = true;
      if (dpkg_version_valid(*version)) {
        cur_.version = std::string(*version);
      } else {
        warn(line_no, "invalid version '" + std::string(version->substr(0, 64)) + "'");
      }
      expect_ = Expect::kStartChanges;
      return true;
    }
    std::string_view editor = line;
    if (editor.starts_with(";;")) editor = editor.substr(skip(editor, 2, ws_fn));
    if (iprefix(editor, "local variables:") || iprefix(line, "vim:")) {
      return false;  // editor settings end the file
    }
    if (line.size() >= 2 && line[0] == '$') {
      size_t w = skip(line, 1, word_fn);
      if (w > 1 && w < line.size() && line[w] == ':' &&
          line.find('$', w + 1) != std::string_view::npos)
        return true;  // RCS keyword
    }
    if (line.starts_with("# ")) return true;
    if (line.starts_with("/*") && line.find("*/", 2) != std::string_view::npos) return true;
    if (!line.empty() && !ws(line[0])) {
      if (AncientMatcher(line).matches()) return false;  // pre-policy changelog follows
      warn(line_no, "badly formatted heading line");
      return true;
    }
    if (match_trailer(line)) {
      if (expect_ != Expect::kChangesOrTrailer) warn(line_no, "trailer out of place");
      nonempty_ = true;
      expect_ = Expect::kNextOrEof;
      return true;
    }
    if (line.starts_with(" --")) {
      warn(line_no, "badly formatted trailer line");
      return true;
    }
    size_t lead = skip(line, 0, ws_fn);
    if (lead >= 2 && lead < line.size()) {
      if (expect_ != Expect::kStartChanges && expect_ != Expect::kChangesOrTrailer) {
        warn(line_no, "change data where a header was expected");
        if (expect_ == Expect::kNextOrEof && nonempty_) {
          push();
          nonempty_ = true;  // dpkg makes an "unknown" entry for it
        }
      }
      changes(line);
      expect_ = Expect::kChangesOrTrailer;
      return true;
    }
    if (lead == line.size()) {
      if (expect_ == Expect::kFirstHeading) warn(line_no, "blank line before the first header");
      return true;
    }
    warn(line_no, "unrecognized line");
    if (expect_ != Expect::kStartChanges && expect_ != Expect::kChangesOrTrailer) {
      changes(line);
      expect_ = Expect::kChangesOrTrailer;
    }
    return true;
  }

  DebianChangelog out_;
  DebianChangelogEntry cur_;
  bool nonempty_ = false;
  Expect expect_ = Expect::kFirstHeading;
  std::vector<std::string> ids_;
  size_t cves_ = 0;
  size_t suppressed_ = 0;
  std::string stop_;
};

}  // namespace

DebianChangelog parse_debian_changelog(std::string_view text) {
  return Parser().run(text);
}

// One-shot ISA-L inflate (the inflater the layer reader uses) of a changelog already in memory.
// Not image::make_decompressor: its per-stream 256 KiB input buffer, zeroed for each of the
// hundreds of changelogs in an image, cost more than inflating them (see the note in dpkg.cpp).
Result<InflatedChangelog> inflate_changelog(std::string_view gz, std::string_view name) {
  InflatedChangelog out;
  const uint64_t limit = core::limits().max_changelog_bytes;
  if (gz.size() < 18 || static_cast<uint8_t>(gz[0]) != 0x1f || static_cast<uint8_t>(gz[1]) != 0x8b)
    return Error::invalid(std::string(name) + ": not a gzip file");
  // ISIZE, the last member's size mod 2^32 (RFC 1952 2.3.1): a hint for the buffer only.
  const auto* tail = reinterpret_cast<const uint8_t*>(gz.data() + gz.size() - 4);
  uint64_t isize = tail[0] | (tail[1] << 8) | (tail[2] << 16) | (uint64_t{tail[3]} << 24);
  std::string& text = out.text;
  text.resize(static_cast<size_t>(std::min<uint64_t>(std::max<uint64_t>(isize, 4096), limit + 1)));
  auto state = std::make_unique_for_overwrite<inflate_state>();
  isal_inflate_init(state.get());
  state->crc_flag = ISAL_GZIP;
  state->next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(gz.data()));
  state->avail_in = static_cast<uint32_t>(std::min<size_t>(gz.size(), UINT32_MAX));
  size_t have = 0;
  std::string problem;
  while (true) {
    if (have == text.size()) {
      if (text.size() > limit) break;
      text.resize(static_cast<size_t>(std::min<uint64_t>(uint64_t{text.size()} * 2, limit + 1)));
    }
    const uint32_t in_before = state->avail_in;
    const size_t have_before = have;
    state->next_out = reinterpret_cast<uint8_t*>(text.data() + have);
    state->avail_out = static_cast<uint32_t>(std::min<size_t>(text.size() - have, UINT32_MAX));
    const uint32_t out_room = state->avail_out;
    int rc = isal_inflate(state.get());
    have += out_room - state->avail_out;
    if (rc != ISAL_DECOMP_OK && rc != ISAL_END_INPUT) {
      problem =
          std::string(name) + ": corrupt gzip stream (igzip error " + std::to_string(rc) + ")";
      break;
    }
    if (state->block_state == ISAL_BLOCK_FINISH) {
      // Another gzip member may follow; zero padding after the last one is tolerated.
      if (state->avail_in == 0 || *state->next_in == 0) break;
      isal_inflate_reset(state.get());
      state->crc_flag = ISAL_GZIP;
      continue;
    }
    if (state->avail_in == 0 && have < text.size()) {
      problem = std::string(name) + ": truncated gzip stream";
      break;
    }
    if (state->avail_in == in_before && have == have_before) {
      problem = std::string(name) + ": gzip stream makes no progress";
      break;
    }
  }
  if (have > limit) {
    have = static_cast<size_t>(limit);
    problem = std::string(name) + ": larger than " + std::to_string(limit) +
              " bytes decompressed; the older entries were not read";
  }
  text.resize(have);
  if (!problem.empty()) {
    if (text.empty()) return Error::invalid(problem);
    // Keep whole lines only: a cut line could name half a CVE id.
    size_t last = text.rfind('\n');
    text.resize(last == std::string::npos ? 0 : last + 1);
    out.problem = std::move(problem);
  }
  return out;
}

}  // namespace bulwark::catalog
