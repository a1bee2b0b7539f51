#include "registry/reference.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace bulwark::registry {

using core::Error;
using core::Result;

namespace {

constexpr size_t kMaxNameLength = 255;  // distribution/reference NameTotalLengthMax
constexpr size_t kMaxTagLength = 128;

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_alnum(char c) {
  return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

// path-component := [a-z0-9]+ ( separator [a-z0-9]+ )*, separator := [_.] | "__" | "-"+
bool valid_path_component(std::string_view s) {
  if (s.empty() || !is_lower_alnum(s.front()) || !is_lower_alnum(s.back())) return false;
  size_t i = 0;
  while (i < s.size()) {
    if (is_lower_alnum(s[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && !is_lower_alnum(s[j])) ++j;
    std::string_view sep = s.substr(i, j - i);
    bool ok = sep == "." || sep == "_" || sep == "__" ||
              sep.find_first_not_of('-') == std::string_view::npos;
    if (!ok) return false;
    i = j;
  }
  return true;
}

// domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]; an IPv6 literal in
// brackets is also a host; an optional :port of digits follows.
bool valid_domain(std::string_view d) {
  if (d.empty()) return false;
  std::string_view host = d;
  if (d.front() == '[') {
    size_t close = d.find(']');
    if (close == std::string_view::npos || close < 2) return false;
    for (char c : d.substr(1, close - 1)) {
      if (!(std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.'))
        return false;
    }
    std::string_view rest = d.substr(close + 1);
    if (rest.empty()) return true;
    if (rest.front() != ':' || rest.size() < 2) return false;
    return rest.substr(1).find_first_not_of("0123456789") == std::string_view::npos;
  }
  if (size_t colon = d.rfind(':'); colon != std::string_view::npos) {
    std::string_view port = d.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string_view::npos)
      return false;
    host = d.substr(0, colon);
  }
  if (host.empty()) return false;
  size_t i = 0;
  while (i <= host.size()) {
    size_t j = host.find('.', i);
    if (j == std::string_view::npos) j = host.size();
    std::string_view comp = host.substr(i, j - i);
    if (comp.empty() || !is_alnum(comp.front()) || !is_alnum(comp.back())) return false;
    for (char c : comp) {
      if (!is_alnum(c) && c != '-') return false;
    }
    i = j + 1;
  }
  return true;
}

bool valid_tag(std::string_view t) {
  if (t.empty() || t.size() > kMaxTagLength) return false;
  auto word = [](char c) { return is_alnum(c) || c == '_'; };
  if (!word(t.front())) return false;
  for (char c : t) {
    if (!word(c) && c != '.' && c != '-') return false;
  }
  return true;
}

bool is_domain_like(std::string_view first) {
  return first.find('.') != std::string_view::npos || first.find(':') != std::string_view::npos ||
         first == "localhost" ||
         std::any_of(first.begin(), first.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

}  // namespace

std::string Reference::api_host() const {
  return registry == kDockerHub ? "registry-1.docker.io" : registry;
}

std::string Reference::str() const {
  std::string s = registry + "/" + repository;
  if (!tag.empty()) s += ":" + tag;
  if (digest) s += "@" + digest->str();
  return s;
}

Result<Reference> parse_reference(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Error::invalid("image reference '" + std::string(text.substr(0, 300)) +
                          "': " + std::string(why));
  };
  if (text.empty()) return bad("empty");
  if (text.size() > 1024) return bad("longer than 1024 characters");
  Reference ref;
  std::string_view rest = text;
  if (size_t at = rest.find('@'); at != std::string_view::npos) {
    auto d = core::Digest::parse(rest.substr(at + 1));
    if (!d.ok()) return bad("digest: " + d.error().message());
    ref.digest = *d;
    rest = rest.substr(0, at);
  }
  // The tag is after the last ':' that follows the last '/' (a ':' before it is a port).
  size_t slash = rest.rfind('/');
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    ref.tag = std::string(rest.substr(colon + 1));
    if (!valid_tag(ref.tag)) return bad("invalid tag '" + ref.tag + "'");
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) return bad("no repository name");
  std::string_view path = rest;
  size_t first_slash = rest.find('/');
  if (first_slash != std::string_view::npos && is_domain_like(rest.substr(0, first_slash))) {
    ref.registry = std::string(rest.substr(0, first_slash));
    if (!valid_domain(ref.registry)) return bad("invalid registry host '" + ref.registry + "'");
    path = rest.substr(first_slash + 1);
  } else {
    ref.registry = std::string(kDockerHub);
  }
  if (ref.registry == "index.docker.io" || ref.registry == "registry-1.docker.io")
    ref.registry = std::string(kDockerHub);
  if (path.empty()) return bad("no repository name");
  size_t i = 0;
  std::vector<std::string_view> components;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    components.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  for (auto c : components) {
    if (!valid_path_component(c)) {
      if (std::any_of(c.begin(), c.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; }))
        return bad("repository name must be lowercase");
      return bad("invalid repository name component '" + std::string(c) + "'");
    }
  }
  ref.repository = std::string(path);
  if (ref.registry == kDockerHub && components.size() == 1)
    ref.repository = "library/" + ref.repository;
  if (ref.registry.size() + 1 + ref.repository.size() > kMaxNameLength)
    return bad("name longer than 255 characters");
  if (ref.tag.empty() && !ref.digest) ref.tag = "latest";
  return ref;
}

bool looks_like_registry_reference(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos || !is_domain_like(text.substr(0, slash))) return false;
  // Paths that start like "./x" or "../x" or "/x" are never references.
  if (text.starts_with(".") || text.starts_with("/")) return false;
  return parse_reference(text).ok();
}

}  // namespace bulwark::registry
