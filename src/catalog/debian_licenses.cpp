#include "catalog/debian_licenses.hpp"

#include <cctype>
#include <optional>
#include <unordered_map>
#include <vector>

#include "core/text.hpp"

namespace bulwark::catalog {
namespace {

// Sources. Short names: "Machine-readable debian/copyright file", version 1.0, section "License
// short name" (https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/#license-short-
// name), which lists the families below; versions are appended as "-<version>" and "+" means
// "or any later version". SPDX ids: SPDX License List 3.28 (the list src/report compiles in).
// Where a Debian name is ambiguous (unversioned "GPL", "Apache", "BSD"; "Python"), it gets no
// SPDX id: guessing a version would put a claim in the SBOM that the package never made.
constexpr DebianLicense kLicenses[] = {
    // GNU licenses: SPDX has explicit -only / -or-later ids.
    {"GPL", "", ""},
    {"GPL-1", "GPL-1.0-only", "GPL-1.0-or-later"},
    {"GPL-2", "GPL-2.0-only", "GPL-2.0-or-later"},
    {"GPL-3", "GPL-3.0-only", "GPL-3.0-or-later"},
    {"LGPL", "", ""},
    {"LGPL-2", "LGPL-2.0-only", "LGPL-2.0-or-later"},
    {"LGPL-2.1", "LGPL-2.1-only", "LGPL-2.1-or-later"},
    {"LGPL-3", "LGPL-3.0-only", "LGPL-3.0-or-later"},
    {"AGPL", "", ""},
    {"AGPL-1", "AGPL-1.0-only", "AGPL-1.0-or-later"},
    {"AGPL-3", "AGPL-3.0-only", "AGPL-3.0-or-later"},
    {"GFDL", "", ""},
    {"GFDL-1.1", "GFDL-1.1-only", "GFDL-1.1-or-later"},
    {"GFDL-1.2", "GFDL-1.2-only", "GFDL-1.2-or-later"},
    {"GFDL-1.3", "GFDL-1.3-only", "GFDL-1.3-or-later"},
    // GFDL-NIV: "GNU Free Documentation License, with no invariant sections".
    {"GFDL-NIV", "", ""},
    {"GFDL-NIV-1.1", "GFDL-1.1-no-invariants-only", "GFDL-1.1-no-invariants-or-later"},
    {"GFDL-NIV-1.2", "GFDL-1.2-no-invariants-only", "GFDL-1.2-no-invariants-or-later"},
    {"GFDL-NIV-1.3", "GFDL-1.3-no-invariants-only", "GFDL-1.3-no-invariants-or-later"},

    {"Apache", "", ""},
    {"Apache-1.0", "Apache-1.0", ""},
    {"Apache-1.1", "Apache-1.1", ""},
    {"Apache-2.0", "Apache-2.0", ""},
    // Debian's "Artistic" is /usr/share/common-licenses/Artistic, the Artistic License that comes
    // with Perl (with clause 8 on aggregation and "The End"): SPDX's Artistic-1.0-Perl, not the
    // OSI text Artistic-1.0. The spec's "Perl" entry ("use GPL-1+ or Artistic-1 instead") makes
    // Artistic-1 the same license.
    {"Artistic", "Artistic-1.0-Perl", ""},
    {"Artistic-1", "Artistic-1.0-Perl", ""},
    {"Artistic-2.0", "Artistic-2.0", ""},
    {"BSD-2-clause", "BSD-2-Clause", ""},
    {"BSD-3-clause", "BSD-3-Clause", ""},
    {"BSD-4-clause", "BSD-4-Clause", ""},

    {"CC-BY", "", ""},
    {"CC-BY-1.0", "CC-BY-1.0", ""},
    {"CC-BY-2.0", "CC-BY-2.0", ""},
    {"CC-BY-2.5", "CC-BY-2.5", ""},
    {"CC-BY-3.0", "CC-BY-3.0", ""},
    {"CC-BY-4.0", "CC-BY-4.0", ""},
    {"CC-BY-NC", "", ""},
    {"CC-BY-NC-1.0", "CC-BY-NC-1.0", ""},
    {"CC-BY-NC-2.0", "CC-BY-NC-2.0", ""},
    {"CC-BY-NC-2.5", "CC-BY-NC-2.5", ""},
    {"CC-BY-NC-3.0", "CC-BY-NC-3.0", ""},
    {"CC-BY-NC-4.0", "CC-BY-NC-4.0", ""},
    {"CC-BY-NC-ND", "", ""},
    {"CC-BY-NC-ND-1.0", "CC-BY-NC-ND-1.0", ""},
    {"CC-BY-NC-ND-2.0", "CC-BY-NC-ND-2.0", ""},
    {"CC-BY-NC-ND-2.5", "CC-BY-NC-ND-2.5", ""},
    {"CC-BY-NC-ND-3.0", "CC-BY-NC-ND-3.0", ""},
    {"CC-BY-NC-ND-4.0", "CC-BY-NC-ND-4.0", ""},
    {"CC-BY-NC-SA", "", ""},
    {"CC-BY-NC-SA-1.0", "CC-BY-NC-SA-1.0", ""},
    {"CC-BY-NC-SA-2.0", "CC-BY-NC-SA-2.0", ""},
    {"CC-BY-NC-SA-2.5", "CC-BY-NC-SA-2.5", ""},
    {"CC-BY-NC-SA-3.0", "CC-BY-NC-SA-3.0", ""},
    {"CC-BY-NC-SA-4.0", "CC-BY-NC-SA-4.0", ""},
    {"CC-BY-ND", "", ""},
    {"CC-BY-ND-1.0", "CC-BY-ND-1.0", ""},
    {"CC-BY-ND-2.0", "CC-BY-ND-2.0", ""},
    {"CC-BY-ND-2.5", "CC-BY-ND-2.5", ""},
    {"CC-BY-ND-3.0", "CC-BY-ND-3.0", ""},
    {"CC-BY-ND-4.0", "CC-BY-ND-4.0", ""},
    {"CC-BY-SA", "", ""},
    {"CC-BY-SA-1.0", "CC-BY-SA-1.0", ""},
    {"CC-BY-SA-2.0", "CC-BY-SA-2.0", ""},
    {"CC-BY-SA-2.5", "CC-BY-SA-2.5", ""},
    {"CC-BY-SA-3.0", "CC-BY-SA-3.0", ""},
    {"CC-BY-SA-4.0", "CC-BY-SA-4.0", ""},
    // CC0, CPL and QPL were only ever published as 1.0, so the bare name is unambiguous.
    {"CC0", "CC0-1.0", ""},
    {"CC0-1.0", "CC0-1.0", ""},
    {"CDDL", "", ""},
    {"CDDL-1.0", "CDDL-1.0", ""},
    {"CDDL-1.1", "CDDL-1.1", ""},
    {"CPL", "CPL-1.0", ""},
    {"CPL-1.0", "CPL-1.0", ""},
    {"EFL", "", ""},
    {"EFL-1", "EFL-1.0", ""},
    {"EFL-2", "EFL-2.0", ""},
    // Expat is the text SPDX lists as MIT.
    {"Expat", "MIT", ""},
    {"LPPL", "", ""},
    {"LPPL-1.0", "LPPL-1.0", ""},
    {"LPPL-1.1", "LPPL-1.1", ""},
    {"LPPL-1.2", "LPPL-1.2", ""},
    {"LPPL-1.3a", "LPPL-1.3a", ""},
    {"LPPL-1.3c", "LPPL-1.3c", ""},
    {"MPL", "", ""},
    {"MPL-1.0", "MPL-1.0", ""},
    {"MPL-1.1", "MPL-1.1", ""},
    {"MPL-2.0", "MPL-2.0", ""},
    // "Perl license (use GPL-1+ or Artistic-1 instead)" in the spec: an expression, not an id.
    {"Perl", "Artistic-1.0-Perl OR GPL-1.0-or-later", ""},
    // "Python": versions differ in text (PSF-2.0 alone, or the Python-2.0 stack of four).
    {"Python", "", ""},
    {"Python-2.0", "Python-2.0", ""},
    {"PSF-2", "PSF-2.0", ""},
    {"QPL", "QPL-1.0", ""},
    {"QPL-1.0", "QPL-1.0", ""},
    {"W3C", "W3C", ""},
    {"Zlib", "Zlib", ""},
    {"Zope", "", ""},
    {"Zope-1.1", "ZPL-1.1", ""},
    {"Zope-2.0", "ZPL-2.0", ""},
    {"Zope-2.1", "ZPL-2.1", ""},
    // "public-domain" is the spec's keyword for works not under copyright: SPDX has no id for it.
    {"public-domain", "", ""},

    // Not in the spec's list but common in Debian copyright files; spelled as SPDX spells them.
    {"BSL-1.0", "BSL-1.0", ""},
    {"curl", "curl", ""},
    {"EPL-1.0", "EPL-1.0", ""},
    {"EPL-2.0", "EPL-2.0", ""},
    {"ISC", "ISC", ""},
    {"MIT", "MIT", ""},
    {"OFL-1.1", "OFL-1.1", ""},
    {"OpenSSL", "OpenSSL", ""},
    {"X11", "X11", ""},
};

// "<license> with <keyword> exception". The spec names "Font" and "OpenSSL"; the rest are the
// keywords Debian copyright files use for exceptions SPDX lists with the same wording.
constexpr DebianLicenseException kExceptions[] = {
    {"Font", "Font-exception-2.0", "GPL-"},
    // Each SPDX OpenSSL exception (openvpn-, x11vnc-, kvirc-, vsftpd-, ...) is one project's
    // wording; Debian's keyword covers them all.
    {"OpenSSL", "", ""},
    // Autoconf-exception-2.0, -3.0, -generic, -generic-3.0 and -macro differ in what they permit.
    {"Autoconf", "", ""},
    {"Autoconf-data", "", ""},
    // Bison-exception-1.24 and -2.2 were both used with GPL-2+; only -2.2 with GPL-3+.
    {"Bison", "Bison-exception-2.2", "GPL-3.0"},
    {"Bison-2.2", "Bison-exception-2.2", "GPL-"},
    {"Classpath", "Classpath-exception-2.0", "GPL-2.0"},
    {"GCC-Runtime-3.1", "GCC-exception-3.1", "GPL-3.0"},
    {"Libtool", "Libtool-exception", "GPL-"},
    {"Linux-syscall-note", "Linux-syscall-note", "GPL-2.0"},
    {"LLVM", "LLVM-exception", "Apache-2.0"},
    // The SPDX text is the GPL-3 texinfo.tex exception.
    {"Texinfo", "Texinfo-exception", "GPL-3.0"},
};

bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

using core::equal_nocase;
using core::trim;

// The lookup key of a short name: lower case, "gplv2" read as "gpl-2", a trailing ".0" of the
// version dropped ("gpl-2.0" -> "gpl-2", "apache-2.0" -> "apache-2").
std::string lookup_key(std::string_view name) {
  std::string key;
  key.reserve(name.size() + 1);
  for (char c : name) key.push_back(core::ascii_lower(c));
  size_t digit = 0;
  while (digit < key.size() && !is_digit(key[digit])) ++digit;
  if (digit >= 2 && digit < key.size() && key[digit - 1] == 'v') {
    bool letters = true;
    for (size_t i = 0; i + 1 < digit; ++i) {
      letters = letters && std::isalpha(static_cast<unsigned char>(key[i])) != 0;
    }
    if (letters) key[digit - 1] = '-';
  }
  while (key.size() >= 3 && key.ends_with(".0") && is_digit(key[key.size() - 3])) {
    key.resize(key.size() - 2);
  }
  return key;
}

const DebianLicense* find_license(std::string_view name) {
  static const std::unordered_map<std::string, const DebianLicense*> index = [] {
    std::unordered_map<std::string, const DebianLicense*> by_key;
    for (const auto& row : kLicenses) by_key.emplace(lookup_key(row.debian), &row);
    return by_key;
  }();
  auto it = index.find(lookup_key(name));
  return it == index.end() ? nullptr : it->second;
}

const DebianLicenseException* find_exception(std::string_view keyword) {
  for (const auto& row : kExceptions) {
    if (equal_nocase(row.debian, keyword)) return &row;
  }
  return nullptr;
}

// One license name ("GPL-2+") to SPDX; nullopt when the table has no SPDX id for it.
std::optional<std::string> map_license(std::string_view name) {
  bool or_later = name.size() > 1 && name.back() == '+';
  if (or_later) name.remove_suffix(1);
  const DebianLicense* row = find_license(name);
  if (row == nullptr || row->spdx.empty()) return std::nullopt;
  if (!or_later) return std::string(row->spdx);
  if (!row->spdx_or_later.empty()) return std::string(row->spdx_or_later);
  if (row->spdx.find(' ') != std::string_view::npos) return std::nullopt;  // "Perl+"
  return std::string(row->spdx) + "+";
}

std::string join(const std::vector<std::string_view>& words, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) {
    if (!out.empty()) out += ' ';
    out += words[i];
  }
  return out;
}

// One operand: a single name, or "<name> with <keyword...> exception". nullopt when the words
// are neither (free text), which makes the whole declaration verbatim.
std::optional<std::string> map_operand(const std::vector<std::string_view>& words) {
  if (words.size() == 1) {
    auto spdx = map_license(words[0]);
    return spdx ? *spdx : std::string(words[0]);
  }
  if (words.size() < 4 || !equal_nocase(words[1], "with") ||
      !equal_nocase(words.back(), "exception")) {
    return std::nullopt;
  }
  auto license = map_license(words[0]);
  const DebianLicenseException* exception = find_exception(join(words, 2, words.size() - 1));
  if (license && license->find(' ') == std::string::npos && exception != nullptr &&
      !exception->spdx.empty() && license->starts_with(exception->license_prefix)) {
    return *license + " WITH " + std::string(exception->spdx);
  }
  return join(words, 0, words.size());
}

enum class Op { kAnd, kOr };

// A comma-delimited group: operands joined by and/or, which bind as SPDX's AND/OR do (and
// tighter than or), so they carry over unchanged.
struct Group {
  Op joined_by = Op::kAnd;  // the operator after the comma that opens the group
  std::vector<std::string> operands;
  std::vector<Op> ops;  // between operands
};

std::optional<Op> as_operator(std::string_view word) {
  if (equal_nocase(word, "and")) return Op::kAnd;
  if (equal_nocase(word, "or")) return Op::kOr;
  return std::nullopt;
}

std::optional<Group> parse_group(std::string_view text, bool first) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    if (std::isspace(static_cast<unsigned char>(text[i])) != 0) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && std::isspace(static_cast<unsigned char>(text[j])) == 0) ++j;
    words.push_back(text.substr(i, j - i));
    i = j;
  }
  Group group;
  size_t pos = 0;
  if (!first && !words.empty()) {
    if (auto op = as_operator(words[0])) {
      group.joined_by = *op;
      pos = 1;
    }  // a bare comma lists licenses that all apply
  }
  std::vector<std::string_view> operand;
  for (; pos <= words.size(); ++pos) {
    auto op = pos < words.size() ? as_operator(words[pos]) : std::nullopt;
    if (pos < words.size() && !op) {
      operand.push_back(words[pos]);
      continue;
    }
    if (operand.empty()) return std::nullopt;  // "or" first, "and or", empty group
    auto mapped = map_operand(operand);
    if (!mapped) return std::nullopt;
    group.operands.push_back(std::move(*mapped));
    operand.clear();
    if (op) group.ops.push_back(*op);
  }
  return group;
}

bool is_compound(std::string_view spdx) {
  return spdx.find(" OR ") != std::string_view::npos ||
         spdx.find(" AND ") != std::string_view::npos;
}

}  // namespace

std::span<const DebianLicense> debian_license_table() {
  return kLicenses;
}

std::span<const DebianLicenseException> debian_license_exception_table() {
  return kExceptions;
}

std::string debian_license_to_spdx(std::string_view declared) {
  std::string_view text = trim(declared);
  // Debian's syntax has no parentheses: a declaration with them is SPDX syntax or free text,
  // and either is better left to the writers as it is.
  if (text.empty() || text.find_first_of("()") != std::string_view::npos) return std::string(text);

  std::vector<Group> groups;
  size_t operand_count = 0;
  for (size_t start = 0; start <= text.size();) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    auto group = parse_group(text.substr(start, comma - start), groups.empty());
    if (!group) return std::string(text);
    operand_count += group->operands.size();
    groups.push_back(std::move(*group));
    start = comma + 1;
  }

  // Render: an operand that is itself an expression ("Perl") is parenthesised among others; a
  // group that contains OR is parenthesised when a comma joins it with AND.
  std::string out;
  bool out_has_or = false;
  for (const Group& g : groups) {
    std::string part;
    bool part_has_or = false;
    for (size_t i = 0; i < g.operands.size(); ++i) {
      if (i > 0) {
        part += g.ops[i - 1] == Op::kOr ? " OR " : " AND ";
        part_has_or = part_has_or || g.ops[i - 1] == Op::kOr;
      }
      const std::string& operand = g.operands[i];
      if (operand_count > 1 && is_compound(operand)) {
        part += '(';
        part += operand;
        part += ')';
      } else {
        part += operand;
        part_has_or = part_has_or || is_compound(operand);
      }
    }
    if (out.empty()) {
      out = std::move(part);
      out_has_or = part_has_or;
    } else if (g.joined_by == Op::kOr) {
      out += " OR ";
      out += part;
      out_has_or = true;
    } else {
      if (out_has_or) out.insert(0, "(").push_back(')');
      out += " AND ";
      if (part_has_or) part.insert(0, "(").push_back(')');
      out += part;
      out_has_or = false;
    }
  }
  return out;
}

}  // namespace bulwark::catalog
