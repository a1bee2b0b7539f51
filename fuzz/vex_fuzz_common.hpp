// Shared by the VEX fuzz targets: applies what parsed to a few findings of every kind, so the
// matching code (purls, image references, globs, aliases) runs on fuzzed identifiers too, and
// checks that apply() never adds or removes a finding.
#pragma once

#include <cstdlib>
#include <vector>

#include "vex/vex.hpp"

namespace bulwark::vex::fuzz {

inline void exercise(const Suppressions& s) {
  std::vector<report::Finding> findings(4);
  findings[0].kind = "vulnerability";
  findings[0].id = "CVE-2023-4911";
  findings[0].target = "pkg:deb/debian/libc6@2.36-9+deb12u1?arch=amd64&distro=debian-12";
  findings[0].vulnerability = report::VulnerabilityInfo{};
  findings[0].vulnerability->aliases = {"GHSA-m77w-6vjw-wh2f"};
  findings[0].vulnerability->package_name = "libc6";
  findings[1].kind = "vulnerability";
  findings[1].id = "GHSA-p6mc-m468-83gw";
  findings[1].target = "pkg:npm/lodash@4.17.15";
  findings[2].kind = "secret";
  findings[2].id = "github-pat";
  findings[2].target = "/app/config/deploy.json:3";
  findings[3].kind = "misconfig";
  findings[3].id = "BW-IMG-002";
  findings[3].target = "config.Env[3]";
  ImageIdentity image;
  image.reference = "registry.example/shop/app:1.0";
  image.manifest_digest = "sha256:" + std::string(64, 'a');
  image.package_purls = {findings[0].target, findings[1].target};
  (void)apply(findings, s, image, "2025-06-01");
  if (findings.size() != 4) std::abort();
  for (const auto& f : findings) {
    if (f.suppressed && f.suppressed->source.empty()) std::abort();
  }
}

}  // namespace bulwark::vex::fuzz
