// The category of a declared license: the declaration is read as an SPDX expression where it
// is one (terms that are not SPDX ids become name terms), each term is classified, and the
// operators combine them (docs/licenses.md):
//   OR   the licensee may choose: the least restrictive known operand decides;
//   AND  every operand applies: the most restrictive decides; an unknown operand makes the
//        whole unknown unless a known operand is already reciprocal or worse;
//   WITH the exception's effect: a linking exception makes a restricted license reciprocal.
// The policy's allow and deny lists apply per term, before combining.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "license/categories.hpp"
#include "license/policy.hpp"

namespace bulwark::license {

enum class Verdict { kNone, kAllowed, kDenied };

struct Evaluation {
  Category category = Category::kUnknown;
  Verdict verdict = Verdict::kNone;  // from the policy's allow/deny lists
  // The declaration as a normalised SPDX expression ("" when it is not one), or for a name the
  // LicenseRef- the SBOM writers use for it.
  std::string expression;
  std::string decisive;                    // the term that decided the category
  std::string reason;                      // one line: how the category follows
  std::vector<std::string> unknown_terms;  // terms that did not classify
};

Evaluation evaluate(std::string_view declared, const Policy& policy);

// The policy-list spelling of one term ("mit" -> "MIT", "gpl-2.0+ with classpath-exception-2.0"
// -> "GPL-2.0+ WITH Classpath-exception-2.0", "LicenseRef-x" as is); nullopt when `term` is
// not one SPDX license id (with an optional exception) or LicenseRef.
std::optional<std::string> canonical_term(std::string_view term);

}  // namespace bulwark::license
