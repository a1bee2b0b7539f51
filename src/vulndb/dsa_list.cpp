// Debian security tracker advisory lists (data/DSA/list, data/DLA/list): the tracker's text
// format, one block per advisory:
//   [29 Mar 2023] DSA-5380-1 xorg-server - security update
//   	{CVE-2023-1393}
//   	[bullseye] - xorg-server 2:1.20.11-1+deb11u6
//   	NOTE: ...
// A release line's version may instead be <not-affected>, <unfixed>, <end-of-life>...
#include <array>
#include <cctype>

#include "core/text.hpp"
#include "vulndb/importer.hpp"

namespace bulwark::vulndb {

namespace {

std::optional<std::string> parse_date(std::string_view d) {
  // "29 Mar 2023" -> "2023-03-29"
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (d.size() != 11 || d[2] != ' ' || d[6] != ' ') return std::nullopt;
  for (size_t m = 0; m < kMonths.size(); ++m) {
    if (d.substr(3, 3) != kMonths[m]) continue;
    for (size_t i : {0, 1, 7, 8, 9, 10})
      if (!std::isdigit(static_cast<unsigned char>(d[i]))) return std::nullopt;
    std::string out(d.substr(7, 4));
    out += '-';
    out += static_cast<char>('0' + (m + 1) / 10);
    out += static_cast<char>('0' + (m + 1) % 10);
    out += '-';
    out += d.substr(0, 2);
    return out;
  }
  return std::nullopt;
}

std::vector<std::string_view> split_ws(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && core::is_space(s[i])) ++i;
    size_t e = i;
    while (e < s.size() && !core::is_space(s[e])) ++e;
    if (e > i) out.push_back(s.substr(i, e - i));
    i = e;
  }
  return out;
}

}  // namespace

void import_dsa_list(std::string_view where, std::string_view text, std::string_view source,
                     AdvisorySink& sink, ImportStats& stats) {
  std::optional<Advisory> cur;
  bool cur_bad = false;
  size_t line_no = 0;
  auto flush = [&] {
    if (cur && !cur_bad) {
      ++stats.imported;
      sink.add(std::move(*cur));
    }
    cur.reset();
    cur_bad = false;
  };
  auto bad = [&](std::string msg) {
    stats.fail(std::string(where) + ":" + std::to_string(line_no) + ": " + msg);
    cur_bad = true;
  };
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (core::trim(line).empty()) continue;
    if (line[0] == '[') {
      flush();
      const size_t close = line.find(']');
      auto date =
          close == std::string_view::npos ? std::nullopt : parse_date(line.substr(1, close - 1));
      const auto words = split_ws(close == std::string_view::npos ? "" : line.substr(close + 1));
      cur.emplace();
      if (!date || words.size() < 2) {
        bad("malformed advisory header");
        continue;
      }
      cur->id = std::string(words[0]);
      cur->source = std::string(source);
      cur->published = *date;
      continue;
    }
    if (!cur) {
      stats.fail(std::string(where) + ":" + std::to_string(line_no) +
                 ": indented line before any advisory header");
      continue;
    }
    const std::string_view body = core::trim(line);
    if (body[0] == '{') {
      const size_t close = body.find('}');
      if (close == std::string_view::npos) {
        bad("unterminated {CVE list}");
        continue;
      }
      for (auto w : split_ws(body.substr(1, close - 1))) cur->aliases.emplace_back(w);
    } else if (body[0] == '[') {
      // [release] - package version-or-<status> (notes)
      const size_t close = body.find(']');
      const auto words = split_ws(close == std::string_view::npos ? "" : body.substr(close + 1));
      if (close == std::string_view::npos || words.size() < 3 || words[0] != "-") {
        bad("malformed release line");
        continue;
      }
      Affected x;
      x.ecosystem = "Debian";
      x.release = std::string(body.substr(1, close - 1));
      x.package = normalize_package("Debian", words[1]);
      x.package_kind = "source";
      const std::string_view v = words[2];
      if (v == "<not-affected>") {
        x.status = Status::kNotAffected;
      } else if (v == "<unfixed>") {
        x.status = Status::kUnfixed;
        x.ranges.push_back({"ECOSYSTEM", {{EventKind::kIntroduced, "0"}}});
      } else if (v == "<end-of-life>" || v == "<ignored>") {
        x.status = Status::kWillNotFix;
        x.status_detail = std::string(v.substr(1, v.size() - 2));
      } else if (v.front() == '<') {
        x.status = Status::kUnfixed;
        x.status_detail = std::string(v.substr(1, v.size() - 2));
      } else {
        x.status = Status::kFixed;
        x.ranges.push_back(
            {"ECOSYSTEM", {{EventKind::kIntroduced, "0"}, {EventKind::kFixed, std::string(v)}}});
      }
      cur->affected.push_back(std::move(x));
    } else if (body.rfind("NOTE:", 0) == 0 || body.rfind("TODO:", 0) == 0) {
      // prose, not imported
    } else {
      bad("unrecognised line");
    }
  }
  flush();
}

}  // namespace bulwark::vulndb
