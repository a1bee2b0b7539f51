// Evaluation of declared licenses: SPDX expressions with OR (the licensee chooses), AND (all
// apply) and WITH (the exception's effect), the names packages really declare (Debian short
// names, PyPI strings, free text), and the policy's allow/deny lists per term.
#include "license/expression.hpp"

#include <gtest/gtest.h>

namespace bulwark::license {
namespace {

const Policy kDefaults{};

Category category(std::string_view declared, const Policy& p = kDefaults) {
  return evaluate(declared, p).category;
}

TEST(LicenseExpression, SingleIdsTakeTheirCategoryInAnyCase) {
  EXPECT_EQ(category("GPL-2.0-or-later"), Category::kRestricted);
  EXPECT_EQ(category("mit"), Category::kNotice);
  EXPECT_EQ(category("  Apache-2.0 "), Category::kNotice);
  auto e = evaluate("gpl-3.0-only", kDefaults);
  EXPECT_EQ(e.expression, "GPL-3.0-only");
  EXPECT_EQ(e.decisive, "GPL-3.0-only");
  EXPECT_EQ(e.reason, "GPL-3.0-only is restricted");
}

TEST(LicenseExpression, OrLetsTheLicenseeChooseTheLeastRestrictive) {
  EXPECT_EQ(category("GPL-2.0-or-later OR MIT"), Category::kNotice);
  EXPECT_EQ(category("MPL-1.1 OR GPL-2.0-or-later OR LGPL-2.1-or-later"), Category::kReciprocal);
  EXPECT_EQ(category("AGPL-3.0-only OR GPL-3.0-only"), Category::kRestricted);
  auto e = evaluate("Artistic-1.0-Perl OR GPL-1.0-or-later", kDefaults);
  EXPECT_EQ(e.category, Category::kNotice);
  EXPECT_EQ(e.decisive, "Artistic-1.0-Perl");
  EXPECT_NE(e.reason.find("may choose Artistic-1.0-Perl"), std::string::npos) << e.reason;
  // A known choice wins over one that does not classify: the licensee can always take it.
  EXPECT_EQ(category("GPL OR MIT-US-export"), Category::kRestricted);
  EXPECT_EQ(category("LicenseRef-foo OR LicenseRef-bar"), Category::kUnknown);
}

TEST(LicenseExpression, AndAppliesTheMostRestrictive) {
  EXPECT_EQ(category("MIT AND BSD-3-Clause"), Category::kNotice);
  EXPECT_EQ(category("GPL-3.0-or-later AND ISC"), Category::kRestricted);
  EXPECT_EQ(category("MIT AND AGPL-3.0-only"), Category::kForbidden);
  // Precedence: AND binds tighter than OR.
  EXPECT_EQ(category("MIT OR GPL-2.0-only AND AGPL-3.0-only"), Category::kNotice);
  EXPECT_EQ(category("(MIT OR GPL-2.0-only) AND AGPL-3.0-only"), Category::kForbidden);
  EXPECT_EQ(category("(GPL-1.0-or-later OR Artistic-1.0-Perl) AND BSD-3-Clause"),
            Category::kNotice);
}

TEST(LicenseExpression, AndWithAnUnknownTermIsNeverCalledBenign) {
  // Benign known parts plus an unknown one: the whole is unknown.
  auto e = evaluate("OpenSSL AND SSLeay", kDefaults);
  EXPECT_EQ(e.category, Category::kUnknown);
  EXPECT_EQ(e.unknown_terms, std::vector<std::string>{"SSLeay"});
  // A copyleft known part already says the most important thing: it stays, the unknown is
  // listed.
  e = evaluate("GPL-3.0-or-later AND LicenseRef-custom", kDefaults);
  EXPECT_EQ(e.category, Category::kRestricted);
  EXPECT_EQ(e.unknown_terms, std::vector<std::string>{"LicenseRef-custom"});
}

TEST(LicenseExpression, LinkingExceptionsMakeCopyleftReciprocalOutputExceptionsDoNot) {
  EXPECT_EQ(category("GPL-2.0-only WITH Classpath-exception-2.0"), Category::kReciprocal);
  EXPECT_EQ(category("GPL-2.0-only WITH Linux-syscall-note"), Category::kReciprocal);
  EXPECT_EQ(category("GPL-3.0-or-later WITH GCC-exception-3.1"), Category::kReciprocal);
  EXPECT_EQ(category("GPL-3.0-or-later WITH Bison-exception-2.2"), Category::kRestricted);
  EXPECT_EQ(category("GPL-2.0-or-later WITH Libtool-exception"), Category::kRestricted);
  EXPECT_EQ(category("Apache-2.0 WITH LLVM-exception"), Category::kNotice);
  // An exception the SPDX list does not have changes nothing, and the rest still counts.
  EXPECT_EQ(category("GPL-2.0-only WITH Acme-exception"), Category::kRestricted);
  EXPECT_EQ(category("GPL-2.0-only WITH Acme-exception OR MIT"), Category::kNotice);
  // ... but a keyword naming a listed exception is that exception.
  EXPECT_EQ(category("GPL-2.0-only WITH Classpath"), Category::kReciprocal);
  EXPECT_EQ(category("GPL-2+ with classpath-exception"), Category::kReciprocal);
  EXPECT_EQ(category("GPL-2.0-only WITH L"), Category::kRestricted) << "not LGPL-3.0-linking";
  EXPECT_EQ(category("GPL-2.0-only WITH Class"), Category::kRestricted) << "not Classpath";
  // Fedora's spelling: lower-case operators, "with exceptions".
  EXPECT_EQ(category("MIT and BSD"), Category::kNotice);
  EXPECT_EQ(category("LGPLv2+ with exceptions"), Category::kRestricted);
  // The deprecated combined ids agree with the WITH forms.
  EXPECT_EQ(category("GPL-2.0-with-classpath-exception"), Category::kReciprocal);
  EXPECT_EQ(category("GPL-2.0-with-bison-exception"), Category::kRestricted);
  auto e = evaluate("GPL-2.0-only WITH Classpath-exception-2.0", kDefaults);
  EXPECT_NE(e.reason.find("Classpath-exception-2.0 lets other code link"), std::string::npos)
      << e.reason;
}

TEST(LicenseExpression, DebianAndPypiNamesClassifyWhereTheyAreUnambiguous) {
  EXPECT_EQ(category("GPL"), Category::kRestricted);  // unversioned
  EXPECT_EQ(category("public-domain"), Category::kUnencumbered);
  EXPECT_EQ(category("Expat"), Category::kNotice);
  EXPECT_EQ(category("Apache 2.0"), Category::kNotice);  // PyPI
  EXPECT_EQ(category("GPL-2+"), Category::kRestricted);  // Debian short name
  EXPECT_EQ(category("Apache-2"), Category::kNotice);
  EXPECT_EQ(category("BSD3"), Category::kNotice);
  // Debian's "<license> with <keyword> exception".
  auto e = evaluate("GPL-2+ with Autoconf exception", kDefaults);
  EXPECT_EQ(e.category, Category::kRestricted);
  EXPECT_NE(e.reason.find("GPL-2.0-or-later"), std::string::npos) << e.reason;
  EXPECT_EQ(category("GPL-2 with Linux-syscall-note exception"), Category::kReciprocal);
  EXPECT_EQ(category("GPL-3+-WITH-BISON-EXCEPTION"), Category::kRestricted);
}

TEST(LicenseExpression, VariantsFreeTextAndReferencesAreUnknownWithTheTextKept) {
  for (const char* text : {"MIT-like", "BSD-3-clause-variant", "permissive",
                           "Permission is hereby granted, free of charge", "LicenseRef-acme",
                           "BSD-3-clause and/or GPL-3+", ""}) {
    auto e = evaluate(text, kDefaults);
    EXPECT_EQ(e.category, Category::kUnknown) << text;
  }
  auto e = evaluate("MIT-like", kDefaults);
  EXPECT_EQ(e.unknown_terms, std::vector<std::string>{"MIT-like"});
  EXPECT_EQ(e.expression.rfind("LicenseRef-MIT-like", 0), 0U) << e.expression;
  EXPECT_NE(e.reason.find("\"MIT-like\""), std::string::npos) << e.reason;
}

TEST(LicenseExpression, HostileInputStaysBoundedAndUnknown) {
  std::string deep(10'000, '(');
  deep += "MIT";
  deep += std::string(10'000, ')');
  EXPECT_EQ(category(deep), Category::kUnknown);
  std::string wide = "MIT";
  for (int i = 0; i < 5000; ++i) wide += " AND MIT";
  EXPECT_EQ(category(wide), Category::kUnknown);  // past the token limit: free text
  EXPECT_EQ(category(std::string("MIT\0GPL", 7)), Category::kUnknown);
  // Found by license_policy_fuzz: an id one ".0" away with '+' once recursed without end.
  EXPECT_EQ(category("CPL-1+ with Autoconf exception"), Category::kReciprocal);
  EXPECT_EQ(category("CPL-1+"), Category::kReciprocal);
  EXPECT_EQ(category("CPL 1+"), Category::kReciprocal);
}

TEST(LicenseExpression, PolicyAllowAndDenyApplyPerTermBeforeCombining) {
  Policy p;
  p.source = "policy.yaml";
  p.allow = {"LicenseRef-acme", "LGPL-2.1-only"};
  p.deny = {"GPL-3.0-or-later"};
  auto e = evaluate("GPL-3.0-or-later", p);
  EXPECT_EQ(e.verdict, Verdict::kDenied);
  EXPECT_EQ(e.category, Category::kRestricted);
  EXPECT_NE(e.reason.find("denied by policy policy.yaml"), std::string::npos);
  // A denied term the licensee need not choose does not decide.
  EXPECT_EQ(evaluate("GPL-3.0-or-later OR MIT", p).verdict, Verdict::kNone);
  EXPECT_EQ(evaluate("GPL-3.0-or-later AND MIT", p).verdict, Verdict::kDenied);
  // Denying a license denies it with any exception (an exception only adds permissions).
  EXPECT_EQ(evaluate("GPL-3.0-or-later WITH GCC-exception-3.1", p).verdict, Verdict::kDenied);
  EXPECT_EQ(evaluate("LGPL-2.1-only", p).verdict, Verdict::kAllowed);
  EXPECT_EQ(evaluate("LGPL-2.1-only OR GPL-3.0-or-later", p).verdict, Verdict::kAllowed);
  // An alias that stands for an id is that id for the lists.
  Policy rpm;
  rpm.deny = {"GPL-2.0-or-later"};
  EXPECT_EQ(evaluate("GPLv2+", rpm).verdict, Verdict::kDenied);
  EXPECT_EQ(evaluate("LGPLv2+ and GPLv2+", rpm).verdict, Verdict::kDenied);
  // A name is matched through its LicenseRef.
  EXPECT_EQ(evaluate("acme", p).verdict, Verdict::kAllowed);
  EXPECT_EQ(evaluate("MIT", p).verdict, Verdict::kNone);
}

TEST(LicenseExpression, CanonicalTermsAreSingleIdsExceptionsOrReferences) {
  EXPECT_EQ(canonical_term("mit"), "MIT");
  EXPECT_EQ(canonical_term("gpl-2.0-only with classpath-exception-2.0"),
            "GPL-2.0-only WITH Classpath-exception-2.0");
  EXPECT_EQ(canonical_term("LicenseRef-Acme-1"), "LicenseRef-Acme-1");
  EXPECT_FALSE(canonical_term("MIT OR Apache-2.0").has_value());
  EXPECT_FALSE(canonical_term("not a license").has_value());
  EXPECT_FALSE(canonical_term("GPL-2+").has_value());
}

}  // namespace
}  // namespace bulwark::license
