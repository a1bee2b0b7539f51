// Where registry credentials come from, first match wins:
//   1. explicit ones (--username with --password-stdin), for every registry;
//   2. BULWARK_REGISTRY_USERNAME / BULWARK_REGISTRY_PASSWORD;
//   3. the Docker client config ($DOCKER_CONFIG/config.json, else ~/.docker/config.json):
//      credHelpers[host], then auths[host] (base64 "user:password" in "auth", or
//      username/password, or an "identitytoken"), then credsStore; a helper is run as
//      `docker-credential-NAME get` with the server on stdin (docker-credential-helpers
//      protocol); a helper answering Username "<token>" returns an identity token as Secret.
// An identity token (what `docker login` stores for Docker Hub and some other registries) is an
// OAuth2 refresh token: the client trades it for access tokens, it is never a password.
// Credentials are never logged or put in error messages.
#pragma once

#include <optional>
#include <string>

#include "core/result.hpp"

namespace bulwark::registry {

struct Credential {
  std::string username;
  std::string secret;  // the password, or the identity token when identity_token is set
  // Where it came from, for debug logs (never the values): "env", "docker config auths", ...
  std::string origin;
  bool identity_token = false;
  // With an identity token: the password stored next to it (an auths entry whose "auth" holds
  // user:password too), for the GET token flow of a token service without OAuth2.
  std::string password;
};

struct CredentialOptions {
  std::optional<Credential> explicit_credential;
  std::string docker_config_path;  // empty: $DOCKER_CONFIG/config.json or ~/.docker/config.json
  bool use_environment = true;
};

// nullopt: anonymous. An error: a config or helper that exists but fails (named, no secrets).
core::Result<std::optional<Credential>> find_credential(const std::string& registry,
                                                        const CredentialOptions& options);

// Runs `docker-credential-<helper> get` for `server` (bounded output, 30 s).
core::Result<std::optional<Credential>> run_credential_helper(const std::string& helper,
                                                              const std::string& server);

}  // namespace bulwark::registry
