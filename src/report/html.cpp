// One self-contained HTML file: header, summary with the risk breakdown, findings with a
// filter, packages, and a layer view. Nothing is loaded from anywhere (the CSP forbids it);
// the CSS and the small filter script are inline. Every string from the image is untrusted:
// it goes through html_text() (invalid UTF-8 replaced, control and bidi characters made
// visible, the five HTML specials escaped) and never into the script, which reads what it
// needs from the server-rendered table.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <map>
#include <set>

#include "report/report.hpp"
#include "report/writer_common.hpp"

namespace bulwark::report {
namespace {

constexpr size_t kShortDigestHex = 12;
constexpr std::string_view kReplacement = "\xef\xbf\xbd";  // U+FFFD

// Characters that would be invisible, reorder what follows them, or are parse errors in HTML
// (WHATWG HTML "control" and "noncharacter" in the input stream): shown as \uXXXX.
bool shown_as_escape(char32_t cp) {
  return (cp < 0x20 && cp != '\t' && cp != '\n') || (cp >= 0x7f && cp <= 0x9f) || cp == 0x200e ||
         cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
         (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe;
}

// Appends `s` as HTML text or attribute value: valid in both contexts (quotes escaped too).
void append_text(std::string& out, std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto decoded = detail::decode_utf8(s, i);
    if (!decoded) {
      out += kReplacement;
      i += 1;
      continue;
    }
    auto [cp, len] = *decoded;
    auto b = static_cast<unsigned char>(s[i]);
    if (shown_as_escape(cp)) {
      out += fmt::format("\\u{:04x}", static_cast<uint32_t>(cp));
    } else if (len > 1) {
      out.append(s.substr(i, len));
    } else {
      switch (b) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '"':
          out += "&quot;";
          break;
        case '\'':
          out += "&#39;";
          break;
        default:
          out += static_cast<char>(b);
      }
    }
    i += len;
  }
}

std::string esc(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  append_text(out, s);
  return out;
}

std::string short_digest(std::string_view digest) {
  auto colon = digest.find(':');
  if (colon == std::string_view::npos || digest.size() <= colon + 1 + kShortDigestHex) {
    return std::string(digest);
  }
  return std::string(digest.substr(0, colon + 1 + kShortDigestHex));
}

// Decimal units, as registries and `docker images` show sizes (same as the table writer).
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

constexpr std::array kSeveritiesWorstFirst = {Severity::kCritical, Severity::kHigh,
                                              Severity::kMedium,   Severity::kLow,
                                              Severity::kNone,     Severity::kUnknown};

constexpr std::string_view kStyle = R"css(
:root{--fg:#1d2330;--muted:#5b6475;--line:#d9dee7;--bg:#f6f7f9;--card:#fff}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{background:#1d2330;color:#fff;padding:20px 28px}
header h1{margin:0 0 10px;font-size:20px;word-break:break-all}
header dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0;font-size:13px}
header dt{color:#aab3c5}header dd{margin:0;word-break:break-all}
nav{padding:8px 28px;background:#fff;border-bottom:1px solid var(--line);position:sticky;top:0}
nav a{margin-right:16px;color:#2456b3;text-decoration:none}
main{padding:0 28px 40px}
section{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:16px 20px;margin-top:20px}
h2{font-size:17px;margin:0 0 12px}
h3{font-size:14px;margin:16px 0 8px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:#eef1f5;position:sticky;top:37px}
td.num,th.num{text-align:right;white-space:nowrap}
code.digest,.sev,.nowrap{white-space:nowrap}
code,.mono{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12px;overflow-wrap:anywhere;white-space:pre-wrap}
.muted{color:var(--muted)}
.sev{display:inline-block;min-width:64px;text-align:center;border-radius:3px;padding:0 6px;font-size:12px;font-weight:600;color:#fff;background:#8a93a3}
.sev-critical{background:#8b1a1a}.sev-high{background:#d0451b}.sev-medium{background:#c88a00}.sev-low{background:#3f7cc4}.sev-none{background:#6f7a8a}
.risk{display:flex;gap:24px;align-items:center;flex-wrap:wrap}
.score{font-size:40px;font-weight:700;line-height:1}
.grade{display:inline-block;width:56px;height:56px;border-radius:50%;text-align:center;line-height:56px;font-size:30px;font-weight:700;color:#fff;background:#6f7a8a}
.grade-A{background:#2e8540}.grade-B{background:#6a9a23}.grade-C{background:#c88a00}.grade-D{background:#d0661b}.grade-E{background:#c0392b}.grade-F{background:#8b1a1a}
.bar{background:#eef1f5;border-radius:3px;height:10px;width:160px;overflow:hidden}
.bar span{display:block;height:100%;background:#d0451b}
.floor{color:#8b1a1a;font-weight:600}
.filter{display:flex;gap:8px;align-items:center;margin-bottom:10px;flex-wrap:wrap}
.filter input{padding:4px 8px;min-width:260px}
.zero{color:#b5bcc8}
ul.reasons{margin:0;padding-left:18px}
)css";

// Reads only the DOM the server rendered: no report data lives in the script.
constexpr std::string_view kScript = R"js(
(function () {
  var form = document.getElementById('filter');
  if (!form) return;
  var text = document.getElementById('filter-text');
  var sev = document.getElementById('filter-severity');
  var kind = document.getElementById('filter-kind');
  var count = document.getElementById('filter-count');
  var rows = document.querySelectorAll('#findings-table tbody tr[data-severity]');
  function apply() {
    var t = text.value.toLowerCase(), s = sev.value, k = kind.value, shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      var ok = (!s || r.getAttribute('data-severity') === s) &&
               (!k || r.getAttribute('data-kind') === k) &&
               (!t || r.textContent.toLowerCase().indexOf(t) >= 0);
      r.hidden = !ok;
      if (ok) shown++;
    }
    count.textContent = shown + ' of ' + rows.length + ' shown';
  }
  text.addEventListener('input', apply);
  sev.addEventListener('change', apply);
  kind.addEventListener('change', apply);
  form.hidden = false;
  apply();
})();
)js";

void header_row(std::string& out, std::string_view label, std::string_view value) {
  if (value.empty()) return;
  out += "<dt>";
  append_text(out, label);
  out += "</dt><dd>";
  append_text(out, value);
  out += "</dd>\n";
}

void write_header(const Report& r, std::string& out) {
  const Target& t = r.target;
  out += "<header>\n<h1>";
  append_text(out, detail::image_name(t));
  out += "</h1>\n<dl>\n";
  if (!t.reference.empty() && t.input != t.reference) header_row(out, "Input", t.input);
  header_row(out, "Source", t.source);
  header_row(out, "Digest", t.manifest_digest);
  header_row(out, "Config", t.config_digest);
  header_row(out, "Platform", t.platform);
  if (!r.os.empty()) {
    header_row(out, "OS",
               r.os.pretty_name.empty() ? r.os.id + " " + r.os.version_id : r.os.pretty_name);
  }
  header_row(out, "Scanner", "bulwark " + detail::scanner_version(r));
  header_row(out, "Created", r.created);
  out += "</dl>\n</header>\n";
}

std::string severity_badge(Severity s) {
  auto name = severity_name(s);
  return fmt::format("<span class=\"sev sev-{}\">{}</span>", name, name);
}

void write_risk(const RiskScore& risk, std::string& out) {
  out += "<h3>Risk score</h3>\n<div class=\"risk\">\n";
  bool known_grade = risk.grade >= 'A' && risk.grade <= 'F';
  out +=
      fmt::format("<div><span class=\"score\" id=\"risk-score\">{}</span>/100</div>\n", risk.score);
  out += "<div><span class=\"grade";
  if (known_grade) out += fmt::format(" grade-{}", risk.grade);
  out += "\" id=\"risk-grade\">";
  append_text(out, std::string(1, risk.grade));
  out += "</span></div>\n";
  out +=
      "<div class=\"muted\">0 = nothing found, 100 = act now; grade A (0-9) B (10-29) C "
      "(30-49) D (50-69) E (70-84) F (85-100). The formula is in docs/scoring.md.</div>\n";
  out += "</div>\n";
  if (!risk.floor_reason.empty()) {
    out += "<p class=\"floor\">At least this score because of ";
    append_text(out, risk.floor_reason);
    out += " (secrets and malware are near-blocking).</p>\n";
  }
  out +=
      "<table id=\"risk-table\">\n<thead><tr><th>Component</th><th class=\"num\">Points</th>"
      "<th class=\"num\">Cap</th><th></th><th class=\"num\">Findings</th>"
      "<th>Largest contributors</th></tr></thead>\n<tbody>\n";
  for (const auto& c : risk.components) {
    double fraction = c.cap > 0 ? std::clamp(c.points / c.cap, 0.0, 1.0) : 0.0;
    out += "<tr><td>";
    append_text(out, c.name);
    out += fmt::format(
        "</td><td class=\"num\">{:.1f}</td><td class=\"num\">{:.0f}</td>"
        "<td>{}</td><td class=\"num\">{}</td><td>",
        c.points, c.cap,
        // Secrets and malware add no points; they lift the score to a floor (the cap column
        // then holds that floor's most), which a bar of zero would hide.
        c.points == 0 && c.findings > 0
            ? std::string("<span class=\"muted\">near-blocking: sets a floor</span>")
            : fmt::format("<div class=\"bar\"><span style=\"width:{:.0f}%\"></span></div>",
                          fraction * 100),
        c.findings);
    if (!c.reasons.empty()) {
      out += "<ul class=\"reasons\">";
      for (const auto& reason : c.reasons) {
        out += "<li>";
        append_text(out, reason);
        out += "</li>";
      }
      out += "</ul>";
    }
    out += "</td></tr>\n";
  }
  out += "</tbody>\n</table>\n";
}

void write_summary(const Report& r, const std::vector<const Finding*>& findings, std::string& out) {
  out += "<section id=\"summary\">\n<h2>Summary</h2>\n";
  out += fmt::format("<p>{} packages, {} findings, {} layers{}{}.</p>\n", r.packages.size(),
                     findings.size(), r.target.layers.size(),
                     r.removed_packages.empty()
                         ? ""
                         : fmt::format(", {} removed packages", r.removed_packages.size()),
                     r.removed_files.empty()
                         ? ""
                         : fmt::format(", {} files deleted by a later layer but still in the image",
                                       r.removed_files.size()));
  std::map<std::string, std::map<Severity, int>> by_kind;
  for (const auto* f : findings) ++by_kind[f->kind][f->severity];
  if (!by_kind.empty()) {
    out += "<table id=\"summary-table\">\n<thead><tr><th>Kind</th>";
    for (auto s : kSeveritiesWorstFirst) out += "<th class=\"num\">" + severity_badge(s) + "</th>";
    out += "<th class=\"num\">Total</th></tr></thead>\n<tbody>\n";
    for (const auto& [kind, counts] : by_kind) {
      out += "<tr><td>";
      append_text(out, kind);
      out += "</td>";
      int total = 0;
      for (auto s : kSeveritiesWorstFirst) {
        auto it = counts.find(s);
        int n = it == counts.end() ? 0 : it->second;
        total += n;
        out +=
            n == 0 ? "<td class=\"num zero\">0</td>" : fmt::format("<td class=\"num\">{}</td>", n);
      }
      out += fmt::format("<td class=\"num\"><strong>{}</strong></td></tr>\n", total);
    }
    out += "</tbody>\n</table>\n";
  }
  if (r.risk) write_risk(*r.risk, out);
  out += "</section>\n";
}

void write_findings(const std::vector<const Finding*>& findings, std::string& out) {
  out += fmt::format("<section id=\"findings\">\n<h2>Findings ({})</h2>\n", findings.size());
  if (findings.empty()) {
    out += "<p>No findings.</p>\n</section>\n";
    return;
  }
  // The filter only works with JavaScript, so it stays hidden until the script shows it; the
  // table below reads the same either way.
  out +=
      "<div class=\"filter\" id=\"filter\" hidden>\n"
      "<input type=\"search\" id=\"filter-text\" placeholder=\"Filter by text\" "
      "aria-label=\"Filter findings by text\">\n"
      "<select id=\"filter-severity\" aria-label=\"Severity\"><option value=\"\">all "
      "severities</option>";
  std::set<Severity> severities;
  std::set<std::string> kinds;
  for (const auto* f : findings) {
    severities.insert(f->severity);
    kinds.insert(esc(f->kind));
  }
  for (auto s : kSeveritiesWorstFirst) {
    if (severities.count(s) == 0) continue;
    out += fmt::format("<option value=\"{}\">{}</option>", severity_name(s), severity_name(s));
  }
  out +=
      "</select>\n<select id=\"filter-kind\" aria-label=\"Kind\"><option value=\"\">all "
      "kinds</option>";
  for (const auto& k : kinds) out += "<option value=\"" + k + "\">" + k + "</option>";
  out += "</select>\n<span class=\"muted\" id=\"filter-count\"></span>\n</div>\n";

  out +=
      "<table id=\"findings-table\">\n<thead><tr><th>Severity</th><th>Kind</th><th>ID</th>"
      "<th>Title</th><th>Target</th><th class=\"num\">Layer</th><th>Evidence</th><th>Fix</th>"
      "<th>References</th></tr></thead>\n<tbody>\n";
  for (const auto* f : findings) {
    std::string kind = esc(f->kind);
    out += fmt::format("<tr data-severity=\"{}\" data-kind=\"{}\"><td>{}</td><td>{}</td><td>",
                       severity_name(f->severity), kind, severity_badge(f->severity), kind);
    out += "<span class=\"nowrap\">";
    append_text(out, f->id);
    out += "</span>";
    if (f->known_exploited) out += " <strong title=\"listed in CISA KEV\">KEV</strong>";
    if (f->epss) out += fmt::format(" <span class=\"muted\">EPSS {:.3f}</span>", *f->epss);
    out += "</td><td>";
    append_text(out, f->title);
    out += "</td><td><code>";
    append_text(out, f->target);
    out += "</code></td><td class=\"num\">";
    out += f->layer ? std::to_string(*f->layer) : "-";
    out += "</td><td><code>";
    append_text(out, f->evidence);
    out += "</code></td><td>";
    append_text(out, f->fix);
    out += "</td><td class=\"mono\">";
    // References are shown as text, not links: a URL from a database is untrusted too.
    for (size_t i = 0; i < f->references.size(); ++i) {
      if (i > 0) out += "<br>";
      append_text(out, f->references[i]);
    }
    out += "</td></tr>\n";
  }
  out += "</tbody>\n</table>\n</section>\n";
}

void write_suppressed(const std::vector<const Finding*>& findings, std::string& out) {
  if (findings.empty()) return;
  out += fmt::format(
      "<section id=\"suppressed\">\n<h2>Suppressed ({})</h2>\n<p class=\"muted\">Marked by a VEX "
      "statement or an ignore-file entry; not counted in the summary or the risk score.</p>\n"
      "<table id=\"suppressed-table\">\n<thead><tr><th>Kind</th><th>ID</th><th>Target</th>"
      "<th>Status</th><th>Reason</th><th>Source</th></tr></thead>\n<tbody>\n",
      findings.size());
  for (const auto* f : findings) {
    const auto& s = *f->suppressed;
    out += "<tr><td>";
    append_text(out, f->kind);
    out += "</td><td><span class=\"nowrap\">";
    append_text(out, f->id);
    out += "</span></td><td><code>";
    append_text(out, f->target);
    out += "</code></td><td>";
    append_text(out, s.status);
    if (!s.justification.empty()) {
      out += " (";
      append_text(out, s.justification);
      out += ")";
    }
    out += "</td><td>";
    append_text(out, s.reason);
    if (!s.expires.empty()) {
      out += " <span class=\"muted\">until ";
      append_text(out, s.expires);
      out += "</span>";
    }
    out += "</td><td class=\"mono\">";
    append_text(out, s.source);
    out += "</td></tr>\n";
  }
  out += "</tbody>\n</table>\n</section>\n";
}

std::string layer_of(const core::Package& p) {
  if (p.locations.empty() || p.locations.front().layer_index < 0) return "-";
  return std::to_string(p.locations.front().layer_index);
}

void write_package_table(const std::vector<const core::Package*>& packages, std::string_view id,
                         bool removed, std::string& out) {
  out += fmt::format(
      "<table id=\"{}\">\n<thead><tr><th>Name</th><th>Version</th><th>Ecosystem</th>"
      "<th>purl</th><th class=\"num\">Layer</th><th>Found in</th>{}</tr></thead>\n<tbody>\n",
      id, removed ? "<th class=\"num\">Removed in</th>" : "");
  for (const auto* p : packages) {
    out += "<tr><td>";
    append_text(out, p->name);
    out += "</td><td>";
    append_text(out, p->version);
    out += "</td><td>";
    append_text(out, p->ecosystem);
    out += "</td><td><code>";
    append_text(out, p->purl);
    out += "</code></td><td class=\"num\">" + layer_of(*p) + "</td><td><code>";
    if (!p->locations.empty()) append_text(out, p->locations.front().path);
    out += "</code></td>";
    if (removed) {
      out += "<td class=\"num\">" +
             (p->removed_in_layer ? std::to_string(*p->removed_in_layer) : std::string("-")) +
             "</td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody>\n</table>\n";
}

void write_packages(const Report& r, std::string& out) {
  const auto packages = detail::sorted_packages(r.packages);
  out += fmt::format("<section id=\"packages\">\n<h2>Packages ({})</h2>\n", packages.size());
  if (packages.empty()) {
    out += "<p>No packages found.</p>\n";
  } else {
    write_package_table(packages, "packages-table", false, out);
  }
  const auto removed = detail::sorted_packages(r.removed_packages);
  if (!removed.empty()) {
    out += fmt::format(
        "<h3>Removed packages ({})</h3>\n<p class=\"muted\">Removed by a later layer; their "
        "files remain in the earlier layers.</p>\n",
        removed.size());
    write_package_table(removed, "removed-packages-table", true, out);
  }
  out += "</section>\n";
}

void write_layers(const Report& r, std::string& out) {
  const auto& layers = r.target.layers;
  out += fmt::format("<section id=\"layers\">\n<h2>Layers ({})</h2>\n", layers.size());
  if (layers.empty()) {
    out += "<p>No layers (a directory was scanned).</p>\n</section>\n";
    return;
  }
  std::map<int, int> packages_in;
  for (const auto& p : r.packages) {
    if (!p.locations.empty()) ++packages_in[p.locations.front().layer_index];
  }
  std::map<int, int> findings_in;
  for (const auto& f : r.findings) {
    if (f.layer && !f.suppressed) ++findings_in[*f.layer];
  }
  std::map<int, int> removed_in;
  for (const auto& p : r.removed_packages) {
    if (p.removed_in_layer) ++removed_in[*p.removed_in_layer];
  }
  out +=
      "<table id=\"layers-table\">\n<thead><tr><th class=\"num\">#</th><th>Digest</th>"
      "<th class=\"num\">Size</th><th>Created by</th><th class=\"num\">Packages added</th>"
      "<th class=\"num\">Packages removed</th><th class=\"num\">Findings</th></tr></thead>\n"
      "<tbody>\n";
  auto count_cell = [](const std::map<int, int>& m, int index) {
    auto it = m.find(index);
    int n = it == m.end() ? 0 : it->second;
    return n == 0 ? std::string("<td class=\"num zero\">0</td>")
                  : fmt::format("<td class=\"num\">{}</td>", n);
  };
  for (const auto& l : layers) {
    const std::string& digest = l.digest.empty() ? l.diff_id : l.digest;
    out += fmt::format("<tr><td class=\"num\">{}</td><td><code class=\"digest\" title=\"", l.index);
    append_text(out, digest);
    out += "\">";
    append_text(out, short_digest(digest));
    out += fmt::format("</code></td><td class=\"num\" title=\"{} bytes\">{}</td><td><code>", l.size,
                       human_size(l.size));
    append_text(out, l.created_by);
    out += "</code></td>" + count_cell(packages_in, l.index) + count_cell(removed_in, l.index) +
           count_cell(findings_in, l.index) + "</tr>\n";
  }
  out += "</tbody>\n</table>\n</section>\n";
}

void write_warnings(const Report& r, std::string& out) {
  if (r.warnings.empty()) return;
  out +=
      fmt::format("<section id=\"warnings\">\n<h2>Warnings ({})</h2>\n<ul>\n", r.warnings.size());
  for (const auto& w : r.warnings) {
    out += "<li><code>";
    append_text(out, w);
    out += "</code></li>\n";
  }
  out += "</ul>\n</section>\n";
}

}  // namespace

std::string write_html(const Report& r) {
  std::string out;
  out.reserve(4096 + r.packages.size() * 400 + r.findings.size() * 600);
  auto findings = detail::sorted_findings(r.findings);
  // Suppressed findings (VEX, ignore file) get their own short list after the findings.
  std::vector<const Finding*> suppressed;
  std::copy_if(findings.begin(), findings.end(), std::back_inserter(suppressed),
               [](const Finding* f) { return f->suppressed.has_value(); });
  std::erase_if(findings, [](const Finding* f) { return f->suppressed.has_value(); });
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      // Nothing may be fetched: no scripts, styles, fonts, images or frames from anywhere, no
      // <base> and no form target; only the inline style and script below run.
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
      "'unsafe-inline'; script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"referrer\" content=\"no-referrer\">\n<title>bulwark report: ";
  append_text(out, detail::image_name(r.target));
  out += "</title>\n<style>";
  out += kStyle;
  out += "</style>\n</head>\n<body>\n";
  write_header(r, out);
  out +=
      "<nav><a href=\"#summary\">Summary</a><a href=\"#findings\">Findings</a>"
      "<a href=\"#layers\">Layers</a><a href=\"#packages\">Packages</a>";
  if (!r.warnings.empty()) out += "<a href=\"#warnings\">Warnings</a>";
  out += "</nav>\n<main>\n";
  write_summary(r, findings, out);
  write_findings(findings, out);
  write_suppressed(suppressed, out);
  write_layers(r, out);  // compact, so before the long package list
  write_packages(r, out);
  write_warnings(r, out);
  out += "</main>\n<script>";
  out += kScript;
  out += "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace bulwark::report
