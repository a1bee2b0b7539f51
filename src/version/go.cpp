// Go module versions (golang.org/ref/mod#versions): semantic versions with a required "v" in
// go.mod and an optional one here (OSV's Go ranges omit it). Pseudo-versions
// (v0.0.0-20191109021931-daa7c04131f5, vX.Y.Z-0.yyyymmddhhmmss-abcdef, vX.Y.(Z+1)-0.ts-hash)
// are pre-releases and order by SemVer precedence, which makes them sort by timestamp after the
// base they name. "+incompatible" is build metadata: ignored for ordering, only valid from v2 on.
// Numbers are unbounded, as in golang.org/x/mod/semver.
#include "version/semver_core.hpp"

namespace bulwark::version::go {
namespace {

constexpr std::string_view kName = "Go";

core::Result<SemVer> parse(std::string_view s) {
  constexpr SemVerRules rules{.allow_v_prefix = true};
  BW_ASSIGN_OR_RETURN(auto v, parse_semver(kName, s, rules));
  // The Go vulndb also holds versions like 11.0.6+security-01: build metadata is ignored.
  if (v.build == "incompatible" && compare_digits(v.major, "2") < 0) {
    return bad_version(kName, s, "+incompatible needs major version 2 or above");
  }
  return v;
}

}  // namespace

core::Result<int> compare(std::string_view a, std::string_view b) {
  BW_ASSIGN_OR_RETURN(auto va, parse(a));
  BW_ASSIGN_OR_RETURN(auto vb, parse(b));
  return compare_semver(va, vb);
}

core::Result<bool> satisfies(std::string_view v, std::string_view c) {
  return satisfies_op_list(kName, compare, v, c);
}

}  // namespace bulwark::version::go
