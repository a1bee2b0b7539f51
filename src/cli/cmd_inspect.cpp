// `bulwark inspect REF`: what a registry holds for a reference (manifest or index, platforms,
// the selected platform's config and layers with sizes), without reading any layer. Also the
// global registry options, shared by every command that reads an image.
#include <fmt/format.h>

#include <iostream>
#include <mutex>

#include "cli/app.hpp"
#include "core/json.hpp"
#include "registry/source.hpp"

namespace bulwark::cli {

namespace {

struct RegistryArgs {
  std::vector<std::string> insecure;
  std::string ca_cert;
  std::string username;
  bool password_stdin = false;
  double timeout_seconds = 30;
  int retries = 4;

  std::once_flag once;
  std::shared_ptr<registry::ClientPool> pool;
  std::optional<core::Error> error;
};

std::shared_ptr<RegistryArgs>& registry_args() {
  static auto args = std::make_shared<RegistryArgs>();
  return args;
}

core::Result<std::shared_ptr<registry::ClientPool>> pool_from(RegistryArgs& a) {
  std::call_once(a.once, [&a] {
    registry::ClientOptions o;
    o.insecure_hosts = a.insecure;
    o.transport.ca_cert = a.ca_cert;
    auto ms = std::chrono::milliseconds(static_cast<int64_t>(a.timeout_seconds * 1000));
    if (ms.count() < 1000) ms = std::chrono::milliseconds(1000);
    o.transport.connect_timeout = ms;
    o.transport.low_speed_time = ms;
    o.request_timeout = ms * 4;
    o.max_retries = std::max(0, a.retries);
    if (!a.username.empty() || a.password_stdin) {
      if (a.username.empty() || !a.password_stdin) {
        a.error = core::Error::invalid("--username and --password-stdin go together");
        return;
      }
      std::string password;
      std::getline(std::cin, password);
      while (!password.empty() && (password.back() == '\r' || password.back() == '\n'))
        password.pop_back();
      o.credentials.explicit_credential =
          registry::Credential{a.username, password, "--username/--password-stdin"};
    }
    a.pool = std::make_shared<registry::ClientPool>(std::move(o));
  });
  if (a.error) return *a.error;
  return a.pool;
}

std::string human_size(int64_t n) {
  if (n < 0) return "?";
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1000 && u < 4) {
    v /= 1000;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", n) : fmt::format("{:.1f} {}", v, units[u]);
}

std::string render_table(const registry::Inspection& in) {
  std::string s;
  s += fmt::format("Reference:   {}\n", in.reference.str());
  s += fmt::format("Digest:      {}\n", in.digest.str());
  s += fmt::format("Media type:  {}\n", in.media_type);
  if (in.top.is_index) {
    s += "Platforms:\n";
    for (const auto& m : in.top.manifests) {
      std::string p = m.platform ? m.platform->str() : "-";
      bool selected = in.image.manifest_digest && *in.image.manifest_digest == m.digest;
      s += fmt::format("  {:<16} {}  {:>9}{}\n", p, m.digest.str(), human_size(m.size),
                       selected ? "  (selected)" : "");
    }
  }
  if (in.image.manifest_digest)
    s += fmt::format("Manifest:    {}\n", in.image.manifest_digest->str());
  s += fmt::format("Platform:    {}\n", in.image.platform.str());
  if (in.image.config_digest) s += fmt::format("Config:      {}\n", in.image.config_digest->str());
  s += "Layers:\n";
  int64_t total = 0;
  for (const auto& l : in.image.layers) {
    total += std::max<int64_t>(0, l.blob.size);
    s += fmt::format("  {:>3}  {}  {:>9}  {}\n", l.index + 1, l.blob.display(),
                     human_size(l.blob.size), l.media_type);
  }
  s += fmt::format("Total:       {} layers, {} ({} bytes)\n", in.image.layers.size(),
                   human_size(total), total);
  return s;
}

std::string render_json(const registry::Inspection& in) {
  nlohmann::json j;
  j["reference"] = in.reference.str();
  j["registry"] = in.reference.registry;
  j["repository"] = in.reference.repository;
  j["digest"] = in.digest.str();
  j["mediaType"] = in.media_type;
  nlohmann::json platforms = nlohmann::json::array();
  for (const auto& m : in.top.manifests) {
    platforms.push_back({{"platform", m.platform ? m.platform->str() : ""},
                         {"digest", m.digest.str()},
                         {"mediaType", m.media_type},
                         {"size", m.size}});
  }
  j["platforms"] = platforms;
  nlohmann::json manifest;
  manifest["digest"] = in.image.manifest_digest ? in.image.manifest_digest->str() : in.digest.str();
  manifest["platform"] = in.image.platform.str();
  manifest["config"] = in.image.config_digest ? in.image.config_digest->str() : "";
  nlohmann::json layers = nlohmann::json::array();
  int64_t total = 0;
  for (const auto& l : in.image.layers) {
    total += std::max<int64_t>(0, l.blob.size);
    layers.push_back({{"digest", l.blob.display()},
                      {"mediaType", l.media_type},
                      {"size", l.blob.size},
                      {"createdBy", l.created_by}});
  }
  manifest["layers"] = layers;
  manifest["totalSize"] = total;
  j["manifest"] = manifest;
  return core::dump_json(j) + "\n";
}

}  // namespace

void add_registry_options(CLI::App& app) {
  auto& a = *registry_args();
  app.add_option("--insecure-registry", a.insecure,
                 "Registry HOST[:PORT] reached over plain HTTP (loopback, labs); repeatable")
      ->group("Registry")
      ->allow_extra_args(false);
  app.add_option("--ca-cert", a.ca_cert, "PEM file of CA certificates to trust for registries")
      ->group("Registry");
  app.add_option("--username", a.username, "Registry user name (with --password-stdin)")
      ->group("Registry");
  app.add_flag("--password-stdin", a.password_stdin, "Read the registry password from stdin")
      ->group("Registry");
  app.add_option("--registry-timeout", a.timeout_seconds,
                 "Seconds to connect, and the longest a registry transfer may stall")
      ->group("Registry")
      ->capture_default_str();
  app.add_option("--registry-retries", a.retries,
                 "Retries for 5xx/429 answers and interrupted downloads")
      ->group("Registry")
      ->capture_default_str();
  image::RemoteSource source;
  source.recognises = [](std::string_view t) { return registry::looks_like_registry_reference(t); };
  source.open = [args = registry_args()](
                    std::string_view t, const image::OpenOptions& o) -> core::Result<image::Image> {
    BW_ASSIGN_OR_RETURN(auto pool, pool_from(*args));
    return registry::open_registry_image(t, o, *pool);
  };
  image::set_remote_source(std::move(source));
}

void add_inspect_command(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand(
      "inspect", "Show what a registry holds for a reference: manifest, platforms, layers, sizes");
  struct Args {
    std::string target, platform, format = "table", output;
    bool raw = false;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("reference", args->target,
                  "Registry reference: [registry:]HOST[:PORT]/REPO[:TAG][@sha256:DIGEST]")
      ->required();
  cmd->add_option("--platform", args->platform,
                  "Platform to show from an index (os/arch[/variant])");
  cmd->add_option("-f,--format", args->format, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  cmd->add_option("-o,--output", args->output, "Write to FILE instead of stdout");
  cmd->add_flag("--raw", args->raw,
                "Print the manifest or index the reference names, byte for byte as served");
  cmd->footer(
      "EXAMPLES\n"
      "  bulwark inspect registry.example.com/team/app:1.4\n"
      "  bulwark inspect --insecure-registry 127.0.0.1:5000 127.0.0.1:5000/app:1 --format json");
  cmd->callback([&g, args] {
    auto run = [&]() -> core::Result<std::string> {
      image::OpenOptions o;
      if (!args->platform.empty()) {
        BW_ASSIGN_OR_RETURN(o.platform, image::Platform::parse(args->platform));
      }
      BW_ASSIGN_OR_RETURN(auto pool, pool_from(*registry_args()));
      std::string_view t = args->target;
      if (t.starts_with("registry:")) t.remove_prefix(9);
      BW_ASSIGN_OR_RETURN(auto in, registry::inspect_reference(t, o, *pool));
      if (args->raw) return in.raw;
      return args->format == "json" ? render_json(in) : render_table(in);
    };
    auto text = run();
    if (!text.ok()) {
      g.exit_code = report_error(text.error());
      return;
    }
    auto written = write_output(args->output, *text);
    g.exit_code = written.ok() ? kExitOk : report_error(written.error());
  });
}

}  // namespace bulwark::cli
