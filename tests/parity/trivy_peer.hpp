// Installs the peer scanner with shared/peers/trivy.sh (offline, from the npm registry) for the
// parity tests, which compare what bulwark and Trivy find on the same corpus images.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "support/test_env.hpp"

namespace bulwark::testing {

// The path of the Trivy wrapper the script prints, or nullopt with `why` set.
inline std::optional<std::string> install_trivy(const std::filesystem::path& shared,
                                                std::string* why) {
  std::string out;
  int rc = run_command("bash '" + (shared / "peers/trivy.sh").string() + "'", &out);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  if (rc != 0 || out.empty()) {
    *why =
        "Trivy could not be installed by shared/peers/trivy.sh (exit " + std::to_string(rc) + ")";
    return std::nullopt;
  }
  return out;
}

}  // namespace bulwark::testing
