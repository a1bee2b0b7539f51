#include "cli/findings_args.hpp"

#include <algorithm>

#include "license/policy.hpp"
#include "malware/analyzer.hpp"
#include "secret/analyzer.hpp"
#include "secret/gitleaks_config.hpp"

namespace bulwark::cli {

bool FindingsArgs::wants(std::string_view scanner) const {
  return std::find(scanners.begin(), scanners.end(), scanner) != scanners.end();
}

void add_secret_config_arg(CLI::App& cmd, FindingsArgs& args) {
  cmd.add_option("--secret-config", args.secret_config,
                 "Secret rules in the gitleaks TOML format; [extend] useDefault = true keeps\n"
                 "the built-in rules, otherwise the file's rules replace them");
}

void add_findings_args(CLI::App& cmd, FindingsArgs& args) {
  cmd.add_option("--scanners", args.scanners,
                 "Finding scanners to run besides the SBOM (comma-separated): vuln (packages\n"
                 "against the vulnerability database, --db), secret, malware, misconfig (checks\n"
                 "of the image config and files), license (package licenses by category,\n"
                 "docs/licenses.md)")
      ->delimiter(',')
      ->check(CLI::IsMember({"vuln", "secret", "malware", "misconfig", "license"}))
      ->capture_default_str();
  add_secret_config_arg(cmd, args);
  cmd.add_option("--malware-rules", args.malware_rules,
                 "Directory (or file) of YARA rules (*.yar, *.yara) used with the built-in ones;\n"
                 "repeatable");
  cmd.add_option("--known-bad", args.known_bad,
                 "File of known-bad SHA-256 hashes, one \"sha256  name\" per line; repeatable");
  cmd.add_option("--clamav-db", args.clamav_db,
                 "Directory of ClamAV signature databases (.cvd .cld .hdb .ndb ...): also scan\n"
                 "every file with libclamav");
  cmd.add_option("--license-policy", args.license_policy,
                 "License policy (YAML): severity per category, allow and deny lists of SPDX\n"
                 "ids, packages to ignore (docs/licenses.md)");
  cmd.add_flag("--license-all", args.license_all,
               "Report every package license, also those below medium severity (notice,\n"
               "permissive, unencumbered)");
}

core::Result<std::shared_ptr<const secret::Engine>> make_secret_engine(
    const FindingsArgs& args, const std::string& cache_dir) {
  auto rules = secret::builtin_rules();
  if (!args.secret_config.empty()) {
    BW_ASSIGN_OR_RETURN(rules, secret::load_gitleaks_config(args.secret_config, rules));
  }
  return secret::Engine::compile(std::move(rules), cache_dir.empty() ? "" : cache_dir + "/rules");
}

core::Result<void> add_finding_analyzers(const FindingsArgs& args, ScanOptions& options) {
  auto wants = [&](std::string_view s) {
    return std::find(args.scanners.begin(), args.scanners.end(), s) != args.scanners.end();
  };
  if (wants("secret")) {
    // The compiled rule database is cached beside the layer cache (also with --no-cache,
    // which is about layers).
    std::string dir = options.cache_dir.empty() ? default_cache_dir() : options.cache_dir;
    BW_ASSIGN_OR_RETURN(auto engine, make_secret_engine(args, dir));
    options.findings_options_key += "secret=" + engine->fingerprint() + ";";
    options.finding_analyzers.push_back(std::make_shared<secret::SecretAnalyzer>(engine));
  }
  options.misconfig = wants("misconfig");
  if (options.misconfig) options.findings_options_key += "misconfig;";
  if (wants("malware")) {
    malware::Options mo;
    mo.rule_dirs = args.malware_rules;
    mo.hash_lists = args.known_bad;
    mo.clamav_db = args.clamav_db;
    BW_ASSIGN_OR_RETURN(auto scanner, malware::Scanner::create(mo));
    options.findings_options_key += "malware=" + scanner->fingerprint() + ";";
    options.finding_analyzers.push_back(std::make_shared<malware::MalwareAnalyzer>(scanner));
  }
  if (wants("license")) {
    license::Policy policy;
    if (!args.license_policy.empty()) {
      BW_ASSIGN_OR_RETURN(policy, license::load_policy(args.license_policy));
    }
    if (args.license_all) policy.show_all = true;
    options.license_policy = std::make_shared<const license::Policy>(std::move(policy));
  } else if (!args.license_policy.empty() || args.license_all) {
    return core::Error::invalid(
        "--license-policy and --license-all need the license scanner (--scanners ...,license)");
  }
  return core::ok();
}

}  // namespace bulwark::cli
