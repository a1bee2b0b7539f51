#include "vulndb/cvss.hpp"

#include <gtest/gtest.h>

namespace bulwark::vulndb {
namespace {

// Scores published with these vectors by the FIRST calculator (spec examples / NVD).
TEST(Cvss3, ComputesPublishedBaseScores) {
  EXPECT_DOUBLE_EQ(*cvss3_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), 9.8);
  EXPECT_DOUBLE_EQ(*cvss3_base_score("CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H"), 8.1);
  EXPECT_DOUBLE_EQ(*cvss3_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"), 10.0);
  EXPECT_DOUBLE_EQ(*cvss3_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"), 6.1);
  EXPECT_DOUBLE_EQ(*cvss3_base_score("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N"), 5.5);
  EXPECT_DOUBLE_EQ(*cvss3_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N"), 0.0);
}

TEST(Cvss3, RejectsMalformedVectors) {
  EXPECT_FALSE(cvss3_base_score("CVSS:2.0/AV:N").has_value());
  EXPECT_FALSE(cvss3_base_score("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").has_value());
  EXPECT_FALSE(cvss3_base_score("CVSS:3.1/AV:N/AC:L").has_value());
  EXPECT_FALSE(cvss3_base_score("CVSS:3.1/garbage").has_value());
  EXPECT_EQ(cvss_severity(9.8), "CRITICAL");
  EXPECT_EQ(cvss_severity(7.0), "HIGH");
  EXPECT_EQ(cvss_severity(3.9), "LOW");
}

}  // namespace
}  // namespace bulwark::vulndb
