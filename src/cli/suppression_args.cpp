#include "cli/suppression_args.hpp"

#include <filesystem>
#include <memory>

namespace bulwark::cli {

void add_suppression_args(CLI::App& cmd, SuppressionArgs& args) {
  cmd.add_option("--vex", args.vex,
                 "VEX document (OpenVEX or CycloneDX VEX, recognised by content); a not_affected\n"
                 "or fixed statement marks matching vulnerabilities as suppressed; repeatable")
      ->type_name("FILE");
  cmd.add_option(
         "--ignore-file", args.ignore_file,
         std::string("Ignore file (YAML: id, package, path, reason, expires; docs/vex.md);\n"
                     "default: ./") +
             kDefaultIgnoreFile + " when it exists")
      ->type_name("FILE");
}

core::Result<void> load_suppressions(const SuppressionArgs& args, ScanOptions& options) {
  auto s = std::make_shared<vex::Suppressions>();
  for (const auto& path : args.vex) {
    BW_ASSIGN_OR_RETURN(auto doc, vex::load_vex(path));
    s->documents.push_back(std::move(doc));
  }
  std::string ignore = args.ignore_file;
  std::error_code ec;
  if (ignore.empty() && std::filesystem::is_regular_file(kDefaultIgnoreFile, ec))
    ignore = kDefaultIgnoreFile;
  if (!ignore.empty()) {
    BW_ASSIGN_OR_RETURN(auto file, vex::load_ignore_file(ignore));
    s->ignore_files.push_back(std::move(file));
  }
  if (!s->empty()) options.suppressions = std::move(s);
  return core::ok();
}

}  // namespace bulwark::cli
