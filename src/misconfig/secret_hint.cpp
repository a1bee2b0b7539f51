#include "misconfig/secret_hint.hpp"

#include <array>
#include <cctype>
#include <cmath>
#include <regex>

namespace bulwark::misconfig {

namespace {

// Well-known token shapes (public format descriptions: AWS IAM key IDs, GitHub token prefixes,
// Slack token prefixes, PEM headers, Stripe live keys, Google API keys).
struct Shape {
  std::string_view label;
  std::regex re;
};

const std::array<Shape, 7>& shapes() {
  static const std::array<Shape, 7> kShapes = {
      Shape{"AWS access key ID", std::regex("(AKIA|ASIA)[0-9A-Z]{16}")},
      Shape{"GitHub token", std::regex("gh[pousr]_[A-Za-z0-9]{36,255}")},
      Shape{"GitHub fine-grained token", std::regex("github_pat_[A-Za-z0-9_]{60,255}")},
      Shape{"Slack token", std::regex("xox[abposr]-[A-Za-z0-9-]{10,}")},
      Shape{"private key", std::regex("-----BEGIN[A-Z ]*PRIVATE KEY-----")},
      Shape{"Stripe live key", std::regex("[sr]k_live_[0-9A-Za-z]{20,}")},
      Shape{"Google API key", std::regex("AIza[0-9A-Za-z_-]{35}")},
  };
  return kShapes;
}

std::string upper(std::string_view s) {
  std::string u(s);
  for (auto& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return u;
}

bool has(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

bool secret_like_name(std::string_view name) {
  std::string n = upper(name);
  // Names that point at a secret instead of holding one.
  for (std::string_view s : {"_FILE", "_PATH", "_DIR", "_LENGTH", "_NAME", "_ID_FILE", "_URL"}) {
    if (n.size() >= s.size() && n.compare(n.size() - s.size(), s.size(), s) == 0) return false;
  }
  for (std::string_view k : {"PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "API_KEY",
                             "APIKEY", "ACCESS_KEY", "PRIVATE_KEY", "AUTH_KEY", "CREDENTIAL"}) {
    if (has(n, k)) return true;
  }
  return n == "KEY" || n.ends_with("_KEY") || n == "PWD_SECRET";
}

bool placeholder(std::string_view v) {
  std::string u = upper(v);
  for (std::string_view p : {"CHANGEME", "CHANGE_ME", "<", "XXXX", "****", "REPLACE", "EXAMPLE",
                             "YOUR_", "DUMMY", "PLACEHOLDER", "TODO"}) {
    if (has(u, p)) return true;
  }
  return u == "TRUE" || u == "FALSE" || u == "NONE" || u == "NULL" || u == "YES" || u == "NO";
}

}  // namespace

double shannon_entropy(std::string_view s) {
  if (s.empty()) return 0;
  std::array<size_t, 256> counts{};
  for (unsigned char c : s) ++counts[c];
  double h = 0;
  for (size_t c : counts) {
    if (c == 0) continue;
    double p = static_cast<double>(c) / static_cast<double>(s.size());
    h -= p * std::log2(p);
  }
  return h;
}

std::optional<std::string> secret_reason(std::string_view name, std::string_view value) {
  // Quotes around the whole value are syntax, not content.
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
      value.back() == value.front()) {
    value = value.substr(1, value.size() - 2);
  }
  if (value.empty() || value.size() > 8192) return std::nullopt;
  // std::regex recurses per character: only a bounded prefix is searched for token shapes.
  std::string probe(value.substr(0, 512));
  for (const auto& s : shapes()) {
    if (std::regex_search(probe, s.re)) return std::string(s.label);
  }
  if (!secret_like_name(name)) return std::nullopt;
  if (value.front() == '$' || value.front() == '/' || placeholder(value)) return std::nullopt;
  // A URL without user info names where a secret lives (TOKEN_ENDPOINT=https://...).
  if ((value.starts_with("https://") || value.starts_with("http://")) &&
      value.find('@') == std::string_view::npos)
    return std::nullopt;
  // A real credential is at least 6 characters and not a single repeated word.
  if (value.size() < 6 || shannon_entropy(value) < 2.5) return std::nullopt;
  return "value assigned to secret-like name " + std::string(name);
}

std::string redact(std::string_view value) {
  if (value.size() <= 4) return std::string(value.size(), '*');
  return std::string(value.substr(0, 4)) + "****";
}

}  // namespace bulwark::misconfig
