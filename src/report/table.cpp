// A table for terminals: a header block about the image, then packages, removed packages and
// findings in aligned columns. Every string from the image is made printable first: a package
// name is untrusted input, and an escape sequence in it must not reach the terminal.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <initializer_list>
#include <map>
#include <set>

#include "report/report.hpp"
#include "report/writer_common.hpp"

namespace bulwark::report {
namespace {

constexpr std::string_view kColumnGap = "  ";
constexpr size_t kCreatedByWidth = 60;
constexpr size_t kShortDigestHex = 12;

// A string as it will appear, and its width in terminal cells (one per code point: the
// names in package databases are ASCII in practice, so East Asian wide characters are not
// measured).
struct Cell {
  std::string text;
  size_t width = 0;
};

bool is_escaped_code_point(char32_t cp) {
  return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
         // Bidirectional overrides and isolates reorder what follows them on screen.
         cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

// Valid UTF-8 is kept, control and bidi characters become \u escapes, invalid bytes \x escapes.
Cell printable(std::string_view s) {
  Cell cell;
  size_t i = 0;
  while (i < s.size()) {
    auto decoded = detail::decode_utf8(s, i);
    if (!decoded) {
      cell.text += fmt::format("\\x{:02x}", static_cast<unsigned char>(s[i]));
      cell.width += 4;
      i += 1;
      continue;
    }
    auto [cp, len] = *decoded;
    if (is_escaped_code_point(cp)) {
      std::string escaped = fmt::format("\\u{:04x}", static_cast<uint32_t>(cp));
      cell.width += escaped.size();
      cell.text += escaped;
    } else {
      cell.text.append(s.substr(i, len));
      cell.width += 1;
    }
    i += len;
  }
  return cell;
}

// Cut to `max` cells, marking the cut; only ever applied to a Cell made by printable(), so
// the cut lands on a code point boundary by walking UTF-8 lead bytes.
Cell truncated(Cell cell, size_t max) {
  if (cell.width <= max) return cell;
  size_t cells = 0;
  size_t pos = 0;
  while (pos < cell.text.size() && cells < max - 3) {
    ++pos;
    while (pos < cell.text.size() && (static_cast<unsigned char>(cell.text[pos]) >> 6) == 0x2)
      ++pos;
    ++cells;
  }
  return {cell.text.substr(0, pos) + "...", cells + 3};
}

class Table {
 public:
  explicit Table(std::initializer_list<std::string_view> headers) {
    std::vector<Cell> row;
    row.reserve(headers.size());
    for (auto h : headers) row.push_back({std::string(h), h.size()});
    rows_.push_back(std::move(row));
  }
  void add(std::vector<Cell> row) { rows_.push_back(std::move(row)); }

  void render(std::string& out) const {
    std::vector<size_t> widths(rows_.front().size(), 0);
    for (const auto& row : rows_) {
      for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].width);
    }
    for (const auto& row : rows_) {
      std::string line;
      for (size_t c = 0; c < row.size(); ++c) {
        line += row[c].text;
        if (c + 1 < row.size())
          line += std::string(widths[c] - row[c].width, ' ') + std::string(kColumnGap);
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
  }

 private:
  std::vector<std::vector<Cell>> rows_;
};

std::string short_digest(std::string_view digest) {
  auto colon = digest.find(':');
  if (colon == std::string_view::npos || digest.size() <= colon + 1 + kShortDigestHex) {
    return std::string(digest);
  }
  return std::string(digest.substr(0, colon + 1 + kShortDigestHex));
}

// Decimal units, as registries and `docker images` show sizes.
std::string human_size(int64_t bytes) {
  static constexpr std::array<std::string_view, 5> kUnits = {"B", "kB", "MB", "GB", "TB"};
  if (bytes < 1000) return fmt::format("{} B", bytes);
  auto value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1000 && unit + 1 < kUnits.size()) {
    value /= 1000;
    ++unit;
  }
  return fmt::format("{:.1f} {}", value, kUnits[unit]);
}

Cell layer_cell(const core::Package& p) {
  if (p.locations.empty() || p.locations.front().layer_index < 0) return {"-", 1};
  return printable(std::to_string(p.locations.front().layer_index));
}

void header_line(std::string& out, std::string_view label, std::string_view value) {
  if (value.empty()) return;
  out += fmt::format("{:<10}{}\n", label, printable(value).text);
}

void write_header(const Report& r, std::string& out) {
  const Target& t = r.target;
  header_line(out, "Target", detail::image_name(t));
  if (!t.reference.empty() && t.input != t.reference) header_line(out, "Input", t.input);
  header_line(out, "Source", t.source);
  header_line(out, "Digest", t.manifest_digest);
  header_line(out, "Config", t.config_digest);
  header_line(out, "Platform", t.platform);
  if (!r.os.empty()) {
    std::string os = r.os.pretty_name.empty() ? r.os.id + " " + r.os.version_id : r.os.pretty_name;
    header_line(out, "OS", os);
  }
  header_line(out, "Created", r.created);
  header_line(out, "Scanner", "bulwark " + detail::scanner_version(r));
  if (r.database)
    header_line(out, "Database", r.database->path + " (built " + r.database->built_at + ")");
  if (t.layers.empty()) return;
  out += fmt::format("{:<10}{}\n", "Layers", t.layers.size());
  Table layers({"#", "DIGEST", "SIZE", "CREATED BY"});
  for (const auto& l : t.layers) {
    layers.add({printable(std::to_string(l.index)),
                printable(short_digest(l.digest.empty() ? l.diff_id : l.digest)),
                printable(human_size(l.size)),
                truncated(printable(l.created_by), kCreatedByWidth)});
  }
  std::string rendered;
  layers.render(rendered);
  // Indent the layer table under its label.
  size_t start = 0;
  while (start < rendered.size()) {
    size_t end = rendered.find('\n', start);
    out += "  " + rendered.substr(start, end - start + 1);
    start = end + 1;
  }
}

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

// Vulnerabilities get their own section: package, installed version, id, severity, status and
// the fixed version. Findings the package's changelog says are fixed are only counted.
void write_vulnerabilities(const std::vector<const Finding*>& findings, std::string& out) {
  std::vector<const Finding*> shown;
  size_t per_changelog = 0;
  for (const auto* f : findings) {
    if (f->kind != "vulnerability") continue;
    if (f->vulnerability && f->vulnerability->status == "fixed-per-changelog")
      ++per_changelog;
    else
      shown.push_back(f);
  }
  if (shown.empty() && per_changelog == 0) return;
  out += fmt::format("\nVulnerabilities ({})\n", shown.size());
  if (!shown.empty()) {
    Table table({"PACKAGE", "INSTALLED", "ID", "SEVERITY", "STATUS", "FIXED IN", "LAYER"});
    for (const auto* f : shown) {
      const auto* v = f->vulnerability ? &*f->vulnerability : nullptr;
      std::string status = v != nullptr ? v->status : "";
      if (v != nullptr && !v->status_detail.empty() && v->status != "fixed")
        status += " (" + v->status_detail + ")";
      std::string fixed;
      if (f->fix.rfind("upgrade to ", 0) == 0) fixed = f->fix.substr(11);
      table.add({printable(v != nullptr ? v->package_name : f->target),
                 printable(v != nullptr ? v->package_version : ""), printable(f->id),
                 printable(upper(severity_name(f->severity))), printable(status),
                 printable(fixed.empty() ? "-" : fixed),
                 printable(f->layer ? std::to_string(*f->layer) : "-")});
    }
    table.render(out);
  }
  if (per_changelog > 0)
    out += fmt::format("{} more fixed per changelog (see --format json)\n", per_changelog);
}

// License findings come one per (package, license): hundreds in any Debian image, whose
// copyright files name every license of every file. The table condenses them to one row per
// category (how many licenses and packages, the most common licenses); what a reader must act
// on, forbidden or denied by the policy, gets a row per license. The other formats list every
// finding.
void write_licenses(const std::vector<const Finding*>& findings, std::string& out) {
  struct Row {
    Severity severity = Severity::kUnknown;
    std::string category;
    std::map<std::string, std::set<std::string>> packages_by_license;
    std::set<std::string> packages;
  };
  std::map<std::pair<int, std::string>, Row> rows;  // by (-severity, label)
  size_t total = 0;
  for (const auto* f : findings) {
    if (f->kind != "license") continue;
    ++total;
    const auto* l = f->license ? &*f->license : nullptr;
    std::string category = l != nullptr && !l->category.empty() ? l->category : "unknown";
    const bool denied = l != nullptr && l->policy == "denied";
    std::string label = category;
    if (denied || category == "forbidden")
      label = (denied ? category + ", denied: " : category + ": ") + f->id;
    auto& row = rows[{-static_cast<int>(f->severity), label}];
    row.severity = f->severity;
    row.category = label;
    const std::string package =
        l != nullptr && !l->package_name.empty() ? l->package_name : f->target;
    row.packages_by_license[f->id].insert(package);
    row.packages.insert(package);
  }
  if (total == 0) return;
  out += fmt::format(
      "\nLicenses ({} findings; one row per category; --format json lists "
      "each)\n",
      total);
  Table table({"SEVERITY", "CATEGORY", "LICENSES", "PACKAGES", "MOST COMMON"});
  constexpr size_t kNamed = 3;
  for (const auto& [key, row] : rows) {
    std::vector<std::pair<size_t, std::string>> common;
    for (const auto& [license, packages] : row.packages_by_license)
      common.emplace_back(packages.size(), license);
    std::stable_sort(common.begin(), common.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    std::string most;
    for (size_t i = 0; i < common.size() && i < kNamed; ++i)
      most += fmt::format("{}{} ({})", i > 0 ? ", " : "", common[i].second, common[i].first);
    table.add({printable(upper(severity_name(row.severity))), printable(row.category),
               printable(std::to_string(row.packages_by_license.size())),
               printable(std::to_string(row.packages.size())), truncated(printable(most), 100)});
  }
  table.render(out);
}

}  // namespace

std::string write_table(const Report& r) {
  std::string out;
  write_header(r, out);

  const auto packages = detail::sorted_packages(r.packages);
  out += fmt::format("\nPackages ({})\n", packages.size());
  if (packages.empty()) {
    out += "No packages found.\n";
  } else {
    Table table({"NAME", "VERSION", "ECOSYSTEM", "LAYER"});
    for (const auto* p : packages) {
      table.add(
          {printable(p->name), printable(p->version), printable(p->ecosystem), layer_cell(*p)});
    }
    table.render(out);
  }

  const auto removed = detail::sorted_packages(r.removed_packages);
  if (!removed.empty()) {
    out += fmt::format(
        "\nRemoved packages ({}): removed by a later layer, their files remain in the earlier "
        "layers\n",
        removed.size());
    Table table({"NAME", "VERSION", "ECOSYSTEM", "LAYER", "REMOVED IN"});
    for (const auto* p : removed) {
      table.add(
          {printable(p->name), printable(p->version), printable(p->ecosystem), layer_cell(*p),
           p->removed_in_layer ? printable(std::to_string(*p->removed_in_layer)) : Cell{"-", 1}});
    }
    table.render(out);
  }

  if (!r.removed_files.empty()) {
    out += fmt::format(
        "\nRemoved files: {}, deleted by a later layer but still readable in an earlier one (the "
        "json format lists them)\n",
        r.removed_files.size());
  }

  auto findings = detail::sorted_findings(r.findings);
  // Suppressed findings (VEX, ignore file) are counted, not listed: the json format has them.
  const auto suppressed =
      std::erase_if(findings, [](const Finding* f) { return f->suppressed.has_value(); });
  write_vulnerabilities(findings, out);
  write_licenses(findings, out);
  std::vector<const Finding*> others;
  for (const auto* f : findings)
    if (f->kind != "vulnerability" && f->kind != "license") others.push_back(f);
  if (!others.empty()) {
    out += fmt::format("\nFindings ({})\n", others.size());
    Table table({"SEVERITY", "KIND", "ID", "TARGET", "LAYER", "TITLE"});
    for (const auto* f : others) {
      std::string severity(severity_name(f->severity));
      std::transform(severity.begin(), severity.end(), severity.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      std::string layer = f->layer ? std::to_string(*f->layer) : "-";
      if (f->removed_in_layer)
        layer += " (removed in " + std::to_string(*f->removed_in_layer) + ")";
      table.add({printable(severity), printable(f->kind), printable(f->id), printable(f->target),
                 printable(layer), printable(f->title)});
    }
    table.render(out);
  }

  if (!findings.empty()) {
    // One summary line per kind, worst severity first within it.
    std::map<std::string, std::map<Severity, int>> by_kind;
    for (const auto* f : findings) {
      // Fixed per changelog: the count line above covers them; they are not open flaws.
      if (f->vulnerability && f->vulnerability->status == "fixed-per-changelog") continue;
      ++by_kind[f->kind][f->severity];
    }
    out += "\n";
    for (const auto& [kind, counts] : by_kind) {
      int total = 0;
      std::string detail;
      for (auto it = counts.rbegin(); it != counts.rend(); ++it) {
        total += it->second;
        detail += fmt::format("{}{} {}", detail.empty() ? "" : ", ", it->second,
                              severity_name(it->first));
      }
      out += fmt::format("{}: {} ({})\n", printable(kind).text, total, detail);
    }
  }
  if (suppressed > 0)
    out += fmt::format("{}{} suppressed (VEX/ignore file; see --format json)\n",
                       findings.empty() ? "\n" : "", suppressed);

  if (r.risk) {
    out += fmt::format("\nRisk: {}/100, grade {}", r.risk->score, r.risk->grade);
    if (!r.risk->floor_reason.empty())
      out += " (at least this because of " + r.risk->floor_reason + ")";
    out += "\n";
    for (const auto& c : r.risk->components) {
      out += fmt::format("  {:<14} {:>5.1f} of {:>3.0f}", c.name, c.points, c.cap);
      if (!c.reasons.empty()) out += "  " + printable(c.reasons.front()).text;
      out += "\n";
    }
  }

  if (!r.warnings.empty()) {
    out += fmt::format("\nWarnings: {} (the json format lists them)\n", r.warnings.size());
  }
  return out;
}

}  // namespace bulwark::report
