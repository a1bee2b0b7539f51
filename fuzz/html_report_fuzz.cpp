// The HTML writer with arbitrary bytes in every string an image controls. Not a parser, but
// it is where untrusted text meets markup, so two invariants are checked on every input:
// the output is valid UTF-8, and the markup is exactly what a harmless placeholder gives
// (untrusted text adds no '<', '>', '"' or '\'' of its own: it can open no tag, close no
// cell and leave no attribute).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "report/report.hpp"

namespace {

using bulwark::report::Finding;
using bulwark::report::Report;
using bulwark::report::Severity;

Report report_with(const std::string& s, Severity severity) {
  Report r;
  r.target.input = s;
  r.target.reference = s;
  r.target.manifest_digest = s;
  r.target.platform = s;
  r.target.layers = {{0, s, s, true, s, 1234, s}};
  r.os.id = s;
  r.os.pretty_name = s;
  bulwark::core::Package p;
  p.name = s;
  p.version = s;
  p.ecosystem = s;
  p.purl = s;
  p.locations = {{s, 0, s}};
  r.packages = {p};
  r.removed_packages = {p};
  r.removed_packages.back().removed_in_layer = 0;
  Finding f;
  f.kind = s;
  f.id = s;
  f.title = s;
  f.severity = severity;
  f.target = s;
  f.layer = 0;
  f.evidence = s;
  f.fix = s;
  f.references = {s, s};
  r.findings = {f, f};
  bulwark::report::RiskScore risk;
  risk.score = 50;
  risk.grade = 'D';
  risk.floor_reason = s;
  risk.components = {{s, 1, 10, 1, {s}}};
  r.risk = risk;
  r.warnings = {s};
  r.scanner_version = s;
  r.created = s;
  return r;
}

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<unsigned char>(s[i]);
    size_t len = b < 0x80           ? 1
                 : (b >> 5) == 0x6  ? 2
                 : (b >> 4) == 0xe  ? 3
                 : (b >> 3) == 0x1e ? 4
                                    : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    }
    i += len;
  }
  return true;
}

size_t markup(std::string_view html) {
  return static_cast<size_t>(std::count_if(html.begin(), html.end(), [](char c) {
    return c == '<' || c == '>' || c == '"' || c == '\'';
  }));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  auto severity = static_cast<Severity>(data[0] % 6);
  std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string html = bulwark::report::write_html(report_with(text, severity));
  if (!valid_utf8(html)) std::abort();
  std::string placeholder = text.empty() ? "" : "x";
  if (markup(html) != markup(bulwark::report::write_html(report_with(placeholder, severity)))) {
    std::abort();
  }
  return 0;
}
