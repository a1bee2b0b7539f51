// Real servers on loopback for the registry tests: Debian's docker-registry (the distribution
// project's registry) with a config the test writes (plain HTTP, TLS + htpasswd, or token
// auth), the fault-injecting proxy and the token service (python scripts beside this file).
// Each is started as a child process and stopped by its PID.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "support/test_env.hpp"

namespace bulwark::testing {

int free_port();

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess() { stop(); }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // Starts argv with stdout+stderr appended to log_path; waits until 127.0.0.1:port accepts.
  bool start(const std::vector<std::string>& argv, const std::string& log_path, int port);
  void stop();

 private:
  pid_t pid_ = -1;
};

struct RegistryConfig {
  std::string tls_cert, tls_key;                                         // TLS when set
  std::string htpasswd;                                                  // Basic auth when set
  std::string token_realm, token_service, token_issuer, token_rootcert;  // token auth
  // Blob GETs answer 307 to this base URL + the storage path (the redirect middleware), as
  // registries that hand blob downloads to object storage or a CDN do.
  std::string redirect_baseurl;
};

class TestRegistry {
 public:
  // Starts docker-registry with storage under `dir`; nullopt when it could not start.
  bool start(const std::string& dir, const RegistryConfig& config);
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  const std::string& log_path() const { return log_; }
  // Lines of the registry's access log that GET a blob of `repo`.
  int blob_gets(const std::string& repo) const;

 private:
  ChildProcess proc_;
  int port_ = 0;
  std::string log_;
};

// A test CA and a server certificate for `san` ("IP:127.0.0.1" or "DNS:other.example"), made
// with openssl; returns false on failure. Writes ca.crt, server.crt, server.key into dir.
bool make_test_pki(const std::string& dir, const std::string& san);

// skopeo copy SRC docker://DEST (TLS verification off: loopback test registries).
bool skopeo_copy(const std::string& src, const std::string& dest, const std::string& creds = "",
                 bool all = false);

}  // namespace bulwark::testing
