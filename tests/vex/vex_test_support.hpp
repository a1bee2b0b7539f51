// Helpers of the VEX tests: fixtures from tests/fixtures/vex and findings built in code.
#pragma once

#include <string>
#include <vector>

#include "report/report.hpp"
#include "support/test_env.hpp"
#include "vex/vex.hpp"

namespace bulwark::vex::test {

inline std::string fixture_path(const std::string& name) {
  return std::string(BULWARK_SOURCE_DIR) + "/tests/fixtures/vex/" + name;
}

inline std::string fixture(const std::string& name) {
  return bulwark::testing::read_file(fixture_path(name));
}

// A vulnerability finding as the matcher produces it: purl target, package and aliases.
inline report::Finding vulnerability(std::string id, std::string purl,
                                     std::vector<std::string> aliases = {},
                                     std::string package_name = "") {
  report::Finding f;
  f.kind = "vulnerability";
  f.id = std::move(id);
  f.severity = report::Severity::kHigh;
  f.target = std::move(purl);
  report::VulnerabilityInfo v;
  v.aliases = std::move(aliases);
  v.package_name = std::move(package_name);
  f.vulnerability = std::move(v);
  return f;
}

inline report::Finding file_finding(std::string kind, std::string id, std::string target) {
  report::Finding f;
  f.kind = std::move(kind);
  f.id = std::move(id);
  f.severity = report::Severity::kMedium;
  f.target = std::move(target);
  return f;
}

// The image the fixtures speak about (the corpus' debian-app config digest, a made-up name).
inline ImageIdentity shop_app() {
  ImageIdentity id;
  id.reference = "registry.shop.example/shop/app:1.0";
  id.config_digest = "sha256:19cb77cf4ee0d0bec1ea37e776ed095a97f038bd9cb1ba83d885b7fa7efa405e";
  id.package_purls = {"pkg:deb/debian/libc6@2.36-9+deb12u1?arch=amd64&distro=debian-12",
                      "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12",
                      "pkg:deb/debian/curl@7.88.1-10+deb12u5?arch=amd64&distro=debian-12"};
  return id;
}

}  // namespace bulwark::vex::test
