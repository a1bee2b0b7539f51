// `bulwark version`: the build's version, and the version semantics behind vulnerability
// matching for users debugging a match: compare two versions or test a version against a
// constraint in an ecosystem's own syntax, one at a time or as JSON lines on stdin.
#include <cstdio>
#include <iostream>
#include <string>

#include "build_info.hpp"
#include "cli/app.hpp"
#include "core/json.hpp"
#include "version/version.hpp"

namespace bulwark::cli {
namespace {

struct VersionArgs {
  std::string eco;
  std::string a;
  std::string b;
  bool batch = false;
};

// One batch line: {"eco","a","b"} compares, {"eco","version","constraint"} tests.
std::string batch_line(const std::string& line, size_t number) {
  const std::string where = "stdin line " + std::to_string(number);
  auto error_line = [](const std::string& message) {
    return core::dump_json(nlohmann::json{{"error", message}}, -1);
  };
  auto doc = core::parse_json(line, where);
  if (!doc.ok()) return error_line(doc.error().message());
  const auto& j = *doc;
  auto text = [&](const char* key) -> const std::string* {
    auto it = j.find(key);
    return (it != j.end() && it->is_string()) ? it->get_ptr<const std::string*>() : nullptr;
  };
  const std::string* eco = j.is_object() ? text("eco") : nullptr;
  if (eco == nullptr) return error_line(where + ": \"eco\" (a string) is required");
  if (text("a") != nullptr && text("b") != nullptr) {
    auto r = version::compare(*eco, *text("a"), *text("b"));
    if (!r.ok()) return error_line(where + ": " + r.error().message());
    return core::dump_json(nlohmann::json{{"result", *r}}, -1);
  }
  if (text("version") != nullptr && text("constraint") != nullptr) {
    auto r = version::satisfies(*eco, *text("version"), *text("constraint"));
    if (!r.ok()) return error_line(where + ": " + r.error().message());
    return core::dump_json(nlohmann::json{{"result", *r}}, -1);
  }
  return error_line(where +
                    ": expected {\"eco\",\"a\",\"b\"} or {\"eco\",\"version\",\"constraint\"}");
}

int run_batch() {
  std::string line;
  std::string out;
  size_t number = 0;
  bool any_error = false;
  constexpr size_t kMaxLine = 1 << 20;
  while (std::getline(std::cin, line)) {
    ++number;
    if (line.empty()) continue;
    std::string result =
        line.size() > kMaxLine
            ? core::dump_json(nlohmann::json{{"error", "stdin line " + std::to_string(number) +
                                                           ": longer than 1 MiB"}},
                              -1)
            : batch_line(line, number);
    if (result.starts_with("{\"error\"")) any_error = true;
    out += result;
    out += '\n';
    if (out.size() >= (1 << 16)) {
      if (auto w = write_output("", out); !w.ok()) return report_error(w.error());
      out.clear();
    }
  }
  if (auto w = write_output("", out); !w.ok()) return report_error(w.error());
  return any_error ? kExitError : kExitOk;
}

}  // namespace

void add_version_command(CLI::App& app, GlobalOptions& g) {
  auto* cmd =
      app.add_subcommand("version",
                         "Print bulwark's version and the git revision it was built from;\n"
                         "compare versions or test constraints with an ecosystem's own rules");
  auto args = std::make_shared<VersionArgs>();
  cmd->add_flag(
      "--batch", args->batch,
      "Read JSON lines {\"eco\",\"a\",\"b\"} (compare) or {\"eco\",\"version\",\"constraint\"}\n"
      "(satisfies) from stdin; write one JSON line each: {\"result\":...} or {\"error\":...}");
  cmd->footer(
      "ECOSYSTEMS (OSV names; lower-case aliases accepted)\n"
      "  Debian Ubuntu Alpine \"Red Hat\" rpm npm SemVer Go crates.io PyPI Maven RubyGems NuGet "
      "Packagist\n\n"
      "EXAMPLES\n"
      "  bulwark version compare Debian 1.2-1 1.2-1+deb12u1     # prints -1\n"
      "  bulwark version satisfies npm 1.4.2 '^1.2 || 2.x'      # prints true\n"
      "  echo '{\"eco\":\"PyPI\",\"version\":\"2.0b1\",\"constraint\":\"<2.0\"}' | bulwark "
      "version --batch");
  auto* cmp = cmd->add_subcommand("compare", "Print -1, 0 or 1: how version A orders against B");
  cmp->add_option("ecosystem", args->eco, "Ecosystem (OSV name)")->required();
  cmp->add_option("a", args->a, "First version")->required();
  cmp->add_option("b", args->b, "Second version")->required();
  auto* sat = cmd->add_subcommand(
      "satisfies",
      "Print true or false: whether VERSION meets CONSTRAINT (the ecosystem's syntax)");
  sat->add_option("ecosystem", args->eco, "Ecosystem (OSV name)")->required();
  sat->add_option("version", args->a, "Version")->required();
  sat->add_option("constraint", args->b, "Constraint, e.g. '>=1.2, <2' or '^1.2.3'")->required();

  cmp->callback([&g, args] {
    auto r = version::compare(args->eco, args->a, args->b);
    if (!r.ok()) {
      g.exit_code = report_error(r.error());
      return;
    }
    auto w = write_output("", std::to_string(*r) + "\n");
    g.exit_code = w.ok() ? kExitOk : report_error(w.error());
  });
  sat->callback([&g, args] {
    auto r = version::satisfies(args->eco, args->a, args->b);
    if (!r.ok()) {
      g.exit_code = report_error(r.error());
      return;
    }
    auto w = write_output("", *r ? "true\n" : "false\n");
    g.exit_code = w.ok() ? kExitOk : report_error(w.error());
  });
  cmd->callback([&g, args, cmp, sat] {
    if (cmp->parsed() || sat->parsed()) return;
    if (args->batch) {
      g.exit_code = run_batch();
      return;
    }
    std::printf("bulwark %s\ngit revision: %s\nbuild: %s\n", kVersion, kGitRevision, kBuildType);
    g.exit_code = kExitOk;
  });
}

}  // namespace bulwark::cli
