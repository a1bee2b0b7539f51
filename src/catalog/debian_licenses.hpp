// Debian license short names (machine-readable debian/copyright, DEP-5 / copyright-format 1.0)
// mapped to SPDX license expressions, so the SBOM carries SPDX ids instead of LicenseRefs for
// "GPL-2+", "Expat" and the like. The mapping is data: one row per Debian short name, one row
// per "with <keyword> exception" keyword; the function only parses Debian's expression syntax.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace bulwark::catalog {

struct DebianLicense {
  // The short name as Debian writes it; matched case-insensitively, with a trailing ".0" in the
  // version optional ("GPL-2" = "GPL-2.0", "Apache-2" = "Apache-2.0") and "GPLv2" read as "GPL-2".
  std::string_view debian;
  // The SPDX id (or, for "Perl", the expression the copyright-format spec equates it with).
  // Empty: a known name without an SPDX equivalent (unversioned "GPL", "public-domain"); it is
  // kept verbatim.
  std::string_view spdx;
  // The SPDX id for "<name>+" (or any later version). Empty: `spdx` followed by the SPDX "+"
  // operator, which is how SPDX spells or-later for licenses without an -or-later id.
  std::string_view spdx_or_later;
};

struct DebianLicenseException {
  std::string_view debian;  // <keyword> in "<license> with <keyword> exception", any case
  std::string_view spdx;    // SPDX exception id; empty: no SPDX exception matches the keyword
  // When not empty, the SPDX exception applies only to licenses whose SPDX id starts with this
  // (Debian's "Bison exception" is Bison-exception-2.2 only with GPL-3; with GPL-2 it may be
  // either Bison exception text, so the declaration stays verbatim).
  std::string_view license_prefix;
};

std::span<const DebianLicense> debian_license_table();
std::span<const DebianLicenseException> debian_license_exception_table();

// Converts a Debian license expression ("GPL-2+ or Artistic", "MPL-1.1 or LGPL-2.1+, and Zlib",
// "GPL-2+ with Font exception") to SPDX syntax: "or"/"and" become OR/AND (a comma closes the
// group before it, as in copyright-format 1.0), each license is mapped through the table,
// "with <keyword> exception" becomes WITH <exception id> when both sides map. Names the table
// does not map are kept verbatim, so the SBOM writers still emit them as LicenseRefs; text that
// is not a short-name expression at all (free text on a License: line) is returned trimmed.
std::string debian_license_to_spdx(std::string_view declared);

}  // namespace bulwark::catalog
