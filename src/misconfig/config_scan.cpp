#include "misconfig/config_scan.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "misconfig/compose/rules.hpp"
#include "misconfig/dockerfile/rules.hpp"
#include "misconfig/kubernetes/rules.hpp"
#include "misconfig/yaml_loader.hpp"

namespace bulwark::misconfig {

namespace {

using core::Error;
using core::Result;
namespace fs = std::filesystem;

bool binary(std::string_view text) {
  return text.substr(0, 8192).find('\0') != std::string_view::npos;
}

Result<std::string> read_file(const std::string& path, size_t limit) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) return Error::io(path + ": " + ec.message());
  if (size > limit) {
    return Error::limit(path + ": " + std::to_string(size) + " bytes is larger than the " +
                        std::to_string(limit) + " byte configuration file limit");
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) return Error::io(path + ": cannot open");
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace

std::optional<ConfigType> detect(std::string_view text) {
  if (text.empty() || binary(text)) return std::nullopt;
  if (dockerfile::looks_like_dockerfile(text)) return ConfigType::kDockerfile;
  bool k8s_hint = text.find("apiVersion") != std::string_view::npos &&
                  text.find("kind") != std::string_view::npos;
  bool compose_hint = text.find("services") != std::string_view::npos;
  if (!k8s_hint && !compose_hint) return std::nullopt;
  auto docs = load_yaml(text, "");
  if (!docs.ok()) return std::nullopt;
  for (const auto& d : *docs) {
    if (kubernetes::is_kubernetes(d.root)) return ConfigType::kKubernetes;
    if (compose::is_compose(d.root)) return ConfigType::kCompose;
  }
  return std::nullopt;
}

Result<std::vector<Issue>> check_content(std::string_view text, std::string_view name,
                                         ConfigType type) {
  std::vector<Issue> issues;
  switch (type) {
    case ConfigType::kDockerfile: {
      BW_ASSIGN_OR_RETURN(auto df, dockerfile::parse(text, name));
      issues = dockerfile::check(df, name);
      break;
    }
    case ConfigType::kKubernetes: {
      BW_ASSIGN_OR_RETURN(auto docs, load_yaml(text, name));
      issues = kubernetes::check(docs, name);
      break;
    }
    case ConfigType::kCompose: {
      BW_ASSIGN_OR_RETURN(auto docs, load_yaml(text, name));
      issues = compose::check(docs, name);
      break;
    }
    case ConfigType::kImageConfig:
      return Error::unsupported(std::string(name) +
                                ": image configs are checked by `bulwark scan`");
  }
  sort_issues(issues);
  return issues;
}

Result<ConfigResult> check_path(const std::string& path, const ScanLimits& limits) {
  ConfigResult result;
  std::error_code ec;
  auto st = fs::status(path, ec);
  if (ec) return Error::not_found(path + ": " + ec.message());
  auto check_one = [&](const std::string& file, bool single) -> Result<void> {
    if (!single) {
      // Binaries (build outputs, images) are skipped by content before their size matters.
      std::ifstream f(file, std::ios::binary);
      std::string head(8192, '\0');
      f.read(head.data(), static_cast<std::streamsize>(head.size()));
      head.resize(static_cast<size_t>(f.gcount()));
      if (binary(head)) return core::ok();
    }
    auto text = read_file(file, limits.max_file_bytes);
    if (!text.ok()) {
      if (single) return std::move(text).error();
      result.warnings.push_back(text.error().message());
      return core::ok();
    }
    auto type = detect(*text);
    std::string base = fs::path(file).filename().string();
    bool yaml_name = base.ends_with(".yaml") || base.ends_with(".yml") || base.ends_with(".json");
    if (!type) {
      if (!single) {
        // A manifest-like file that does not load (invalid, a bomb) is worth a warning.
        bool hints = text->find("apiVersion") != std::string::npos ||
                     text->find("services") != std::string::npos;
        if (yaml_name && hints) {
          auto docs = load_yaml(*text, file);
          if (!docs.ok()) result.warnings.push_back(docs.error().message());
        }
        return core::ok();
      }
      // A file named like a config that fails to parse deserves the parser's reason.
      if (base.find("ockerfile") != std::string::npos || base.ends_with(".dockerfile"))
        type = ConfigType::kDockerfile;
      else if (yaml_name)
        type = ConfigType::kKubernetes;
      else
        return Error::unsupported(file + ": not a Dockerfile, Kubernetes manifest or compose file");
    }
    auto issues = check_content(*text, file, *type);
    if (!issues.ok()) {
      if (single) return std::move(issues).error();
      result.warnings.push_back(issues.error().message());
      return core::ok();
    }
    result.files.push_back({file, *type});
    for (auto& i : *issues) result.issues.push_back(std::move(i));
    return core::ok();
  };
  if (!fs::is_directory(st)) {
    BW_TRY(check_one(path, true));
  } else {
    size_t seen = 0;
    fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec);
    if (ec) return Error::io(path + ": " + ec.message());
    std::vector<std::string> files;
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) {
        result.warnings.push_back(path + ": " + ec.message());
        break;
      }
      const auto& entry = *it;
      std::string name = entry.path().filename().string();
      if (entry.is_directory(ec) && !entry.is_symlink(ec)) {
        if (name == ".git" || name == "node_modules" || it.depth() >= limits.max_depth)
          it.disable_recursion_pending();
        continue;
      }
      if (!entry.is_regular_file(ec) || entry.is_symlink(ec)) continue;
      if (++seen > limits.max_files) {
        result.warnings.push_back(path + ": more than " + std::to_string(limits.max_files) +
                                  " files; the rest were not checked");
        break;
      }
      files.push_back(entry.path().string());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) BW_TRY(check_one(f, false));
  }
  std::sort(result.files.begin(), result.files.end(),
            [](const auto& a, const auto& b) { return a.path < b.path; });
  sort_issues(result.issues);
  return result;
}

}  // namespace bulwark::misconfig
