// WWW-Authenticate challenges (RFC 7235 section 4.1 and 2.1): a comma-separated list of
// `scheme [token68 | name=value, ...]`, values being tokens or quoted strings. Registries send
// `Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull"`
// (distribution spec, token authentication) or `Basic realm="..."`.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace bulwark::registry {

struct Challenge {
  std::string scheme;                         // lower-cased: "bearer", "basic"
  std::map<std::string, std::string> params;  // names lower-cased, values unquoted
  std::string token68;                        // when the challenge carries one instead
};

// Malformed syntax is an error; unknown schemes are returned for the caller to ignore.
core::Result<std::vector<Challenge>> parse_www_authenticate(std::string_view header);

}  // namespace bulwark::registry
