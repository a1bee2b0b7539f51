#include "registry/credentials.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/json.hpp"
#include "core/log.hpp"

extern char** environ;

namespace bulwark::registry {

using core::Error;
using core::Result;

namespace {

constexpr size_t kMaxConfigBytes = 4 << 20;
constexpr size_t kMaxHelperOutput = 64 * 1024;
constexpr int kHelperTimeoutMs = 30000;
constexpr std::string_view kIdentityTokenUsername = "<token>";

std::string config_path(const CredentialOptions& o) {
  if (!o.docker_config_path.empty()) return o.docker_config_path;
  if (const char* d = std::getenv("DOCKER_CONFIG"); d != nullptr && *d != 0)
    return std::string(d) + "/config.json";
  if (const char* h = std::getenv("HOME"); h != nullptr && *h != 0)
    return std::string(h) + "/.docker/config.json";
  return "";
}

std::optional<std::string> base64_decode(std::string_view in) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    int v = val(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

// Docker stores Docker Hub under its old index URL; other registries by host (sometimes with
// a scheme or path, which are ignored when matching).
std::vector<std::string> config_keys(const std::string& registry) {
  if (registry == "docker.io")
    return {"https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io"};
  return {registry, "https://" + registry, "http://" + registry};
}

std::string host_of_key(std::string key) {
  if (auto p = key.find("://"); p != std::string::npos) key = key.substr(p + 3);
  if (auto p = key.find('/'); p != std::string::npos) key = key.substr(0, p);
  return key;
}

const nlohmann::json* find_entry(const nlohmann::json& obj, const std::string& registry) {
  if (!obj.is_object()) return nullptr;
  for (const auto& k : config_keys(registry)) {
    if (auto it = obj.find(k); it != obj.end()) return &*it;
  }
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (host_of_key(it.key()) == registry) return &*it;
  }
  return nullptr;
}

bool valid_helper_name(const std::string& n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Result<std::optional<Credential>> run_credential_helper(const std::string& helper,
                                                        const std::string& server) {
  std::string program = "docker-credential-" + helper;
  if (!valid_helper_name(helper)) return Error::invalid("credential helper name '" + helper + "'");
  int in_pipe[2];
  int out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) return Error::from_errno(program + ": pipe", errno);
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    int err = errno;
    ::close(in_pipe[0]);
    ::close(in_pipe[1]);
    return Error::from_errno(program + ": pipe", err);
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
  std::string arg0 = program;
  std::string arg1 = "get";
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, program.c_str(), &fa, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  if (rc != 0) {
    ::close(in_pipe[1]);
    ::close(out_pipe[0]);
    return Error::from_errno(program + " (credential helper)", rc);
  }
  // The request is one line; ignore SIGPIPE-like failures if the helper exits early.
  std::string request = server + "\n";
  signal(SIGPIPE, SIG_IGN);
  (void)!::write(in_pipe[1], request.data(), request.size());
  ::close(in_pipe[1]);
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kHelperTimeoutMs);
  bool timed_out = false;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{out_pipe[0], POLLIN, 0};
    int pr = ::poll(&p, 1, static_cast<int>(left));
    if (pr < 0 && errno == EINTR) continue;
    if (pr <= 0) {
      timed_out = pr == 0;
      break;
    }
    char buf[4096];
    ssize_t n = ::read(out_pipe[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (out.size() + static_cast<size_t>(n) > kMaxHelperOutput) {
      timed_out = false;
      out.clear();
      ::kill(pid, SIGKILL);
      ::close(out_pipe[0]);
      ::waitpid(pid, nullptr, 0);
      return Error::limit(program + ": output larger than 64 KiB");
    }
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(out_pipe[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) return Error::io(program + ": no answer within 30 s");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    // The helpers print "credentials not found in native keychain" for an unknown server.
    if (out.find("credentials not found") != std::string::npos) return std::optional<Credential>{};
    return Error::io(program + " get: exited with status " +
                     std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1));
  }
  auto doc = core::parse_json(out, program + " output");
  if (!doc.ok()) return Error::invalid(program + ": output is not the expected JSON object");
  Credential c;
  c.username = core::json_string(*doc, "Username");
  c.secret = core::json_string(*doc, "Secret");
  c.origin = program;
  if (c.secret.empty()) return std::optional<Credential>{};
  // docker-credential-helpers: the username "<token>" marks the secret as an identity token.
  if (c.username == kIdentityTokenUsername) c.identity_token = true;
  return std::optional<Credential>{std::move(c)};
}

Result<std::optional<Credential>> find_credential(const std::string& registry,
                                                  const CredentialOptions& options) {
  if (options.explicit_credential) return options.explicit_credential;
  if (options.use_environment) {
    const char* u = std::getenv("BULWARK_REGISTRY_USERNAME");
    const char* p = std::getenv("BULWARK_REGISTRY_PASSWORD");
    if (u != nullptr && p != nullptr && *p != 0) {
      return std::optional<Credential>{Credential{u, p, "environment"}};
    }
  }
  std::string path = config_path(options);
  if (path.empty()) return std::optional<Credential>{};
  std::ifstream f(path, std::ios::binary);
  if (!f) return std::optional<Credential>{};  // no config: anonymous
  std::string text;
  text.resize(kMaxConfigBytes + 1);
  f.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(f.gcount()));
  if (text.size() > kMaxConfigBytes) return Error::limit(path + ": larger than 4 MiB");
  BW_ASSIGN_OR_RETURN(auto doc, core::parse_json(text, path));
  std::string server = registry == "docker.io" ? "https://index.docker.io/v1/" : registry;
  if (auto helpers = doc.find("credHelpers"); helpers != doc.end()) {
    if (const auto* h = find_entry(*helpers, registry); h != nullptr && h->is_string()) {
      core::log_debug("registry {}: credentials from docker-credential-{}", registry,
                      h->get<std::string>());
      return run_credential_helper(h->get<std::string>(), server);
    }
  }
  if (auto auths = doc.find("auths"); auths != doc.end()) {
    if (const auto* a = find_entry(*auths, registry); a != nullptr && a->is_object()) {
      std::string auth = core::json_string(*a, "auth");
      Credential c;
      c.origin = path + " auths";
      if (!auth.empty()) {
        auto decoded = base64_decode(auth);
        size_t colon = decoded ? decoded->find(':') : std::string::npos;
        if (colon == std::string::npos)
          return Error::invalid(path + ": auths entry for " + registry +
                                " has an 'auth' that is not base64 of user:password");
        c.username = decoded->substr(0, colon);
        c.secret = decoded->substr(colon + 1);
      } else {
        c.username = core::json_string(*a, "username");
        c.secret = core::json_string(*a, "password");
      }
      // `docker login` against an OAuth2 token service keeps an identity (refresh) token
      // instead of the password; "auth" then holds only the user name, if anything.
      if (std::string identity = core::json_string(*a, "identitytoken"); !identity.empty()) {
        c.password = std::move(c.secret);
        c.secret = std::move(identity);
        c.identity_token = true;
        c.origin += " identitytoken";
      }
      if (!c.secret.empty()) {
        core::log_debug("registry {}: credentials from {}", registry, c.origin);
        return std::optional<Credential>{std::move(c)};
      }
    }
  }
  if (std::string store = core::json_string(doc, "credsStore"); !store.empty()) {
    core::log_debug("registry {}: credentials from docker-credential-{}", registry, store);
    return run_credential_helper(store, server);
  }
  return std::optional<Credential>{};
}

}  // namespace bulwark::registry
