// CVSS v3.x base score from a vector string, so every advisory with a vector gets a score and a
// severity even when the feed publishes only the vector (OSV does). Formula and weights are from
// the FIRST CVSS v3.1 specification, section 7 and appendix A (facts, not code, taken from it).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace bulwark::vulndb {

// nullopt when the vector is not a well-formed CVSS:3.0/3.1 base vector.
std::optional<double> cvss3_base_score(std::string_view vector);
// Qualitative rating for a score (spec table 14): NONE LOW MEDIUM HIGH CRITICAL.
std::string cvss_severity(double score);

}  // namespace bulwark::vulndb
