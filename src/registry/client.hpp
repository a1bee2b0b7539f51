// An OCI distribution-spec client for one registry (distribution-spec v1.1 "spec.md"):
// pull (manifests, streamed blobs with Range resume), push (blob HEAD, monolithic and chunked
// uploads, cross-repository mount, manifest PUT), tag listing, and the referrers API with the
// tag-schema fallback. Authentication: anonymous, Basic, and the Bearer token flow
// (distribution "token authentication": WWW-Authenticate realm/service/scope, tokens cached
// until expiry). Retries 5xx and 429 with exponential backoff, honouring Retry-After.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/digest.hpp"
#include "core/result.hpp"
#include "registry/credentials.hpp"
#include "registry/manifest.hpp"
#include "registry/transport.hpp"

namespace bulwark::registry {

struct ClientOptions {
  TransportOptions transport;
  std::vector<std::string> insecure_hosts;  // "host:port" reached over plain HTTP
  CredentialOptions credentials;
  int max_retries = 4;
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{30000};  // also caps a Retry-After
  std::chrono::milliseconds request_timeout{120000};
  uint64_t max_manifest_bytes = 4 << 20;
  // Injectable for tests; default libcurl and the system clock.
  std::shared_ptr<Transport> transport_impl;
  std::shared_ptr<Clock> clock;
};

struct FetchedManifest {
  std::string body;
  std::string media_type;  // Content-Type
  core::Digest digest;     // of the body, checked against what was asked for / announced
};

struct UploadResult {
  core::Digest digest;
  std::string location;
};

class Client;

// A blob read as the caller consumes it, on the caller's thread (Client::open_blob). An
// interrupted transfer resumes with Range from the last byte delivered; more bytes than the
// descriptor's size is an error. The caller verifies the digest over what it read.
class BlobReader {
 public:
  // Up to buf.size() bytes; 0 at the end of the blob.
  core::Result<size_t> read(std::span<std::byte> buf);

 private:
  friend class Client;
  BlobReader(Client* client, std::string repo, core::Digest digest, int64_t expected_size,
             const std::atomic<bool>* cancel);
  // Opens the next attempt (with Range after the first); an HTTP error is `fatal`.
  core::Result<void> open_next(bool& fatal);

  Client* client_;
  std::string repo_;
  core::Digest digest_;
  int64_t expected_size_;
  const std::atomic<bool>* cancel_;
  std::string what_;
  std::unique_ptr<BodyStream> stream_;
  uint64_t received_ = 0;
  uint64_t skip_ = 0;  // bytes of a restarted (200) answer already delivered before
  int resumes_ = 0;
  bool finished_ = false;
};

class Client {
 public:
  Client(std::string registry, ClientOptions options);

  const std::string& registry() const { return registry_; }
  // "https://host" or "http://host" for --insecure-registry hosts.
  std::string base_url() const;

  // GET /v2/: checks that the registry speaks the API (and that authentication works).
  core::Result<void> ping();

  // `ref` is a tag or "sha256:..."; a digest ref is verified against the body.
  core::Result<FetchedManifest> get_manifest(const std::string& repo, const std::string& ref);
  // HEAD: the digest and size when the manifest exists, nullopt on 404.
  core::Result<std::optional<std::pair<core::Digest, int64_t>>> head_manifest(
      const std::string& repo, const std::string& ref);
  core::Result<core::Digest> put_manifest(const std::string& repo, const std::string& ref,
                                          const std::string& body, const std::string& media_type,
                                          bool* referrers_supported = nullptr);

  // Small blobs (configs) read whole, verified, bounded.
  core::Result<std::string> get_blob(const std::string& repo, const core::Digest& digest,
                                     uint64_t limit, int64_t expected_size = -1);
  // Streams a blob to `consume` (returning false cancels). Interrupted transfers resume with
  // Range from the last byte received. More bytes than `expected_size` (when >= 0) is an
  // error; the caller verifies the digest over the stream.
  core::Result<void> download_blob(const std::string& repo, const core::Digest& digest,
                                   int64_t expected_size,
                                   const std::function<bool(std::string_view)>& consume,
                                   const std::atomic<bool>* cancel = nullptr);

  // The same blob pulled by the caller (no thread, no buffer between network and reader).
  std::unique_ptr<BlobReader> open_blob(const std::string& repo, const core::Digest& digest,
                                        int64_t expected_size,
                                        const std::atomic<bool>* cancel = nullptr);

  // HEAD /v2/<repo>/blobs/<digest>: the size when present, nullopt on 404.
  core::Result<std::optional<int64_t>> blob_exists(const std::string& repo,
                                                   const core::Digest& digest);
  core::Result<UploadResult> upload_blob(const std::string& repo, std::string_view data);
  core::Result<UploadResult> upload_blob_chunked(const std::string& repo, std::string_view data,
                                                 size_t chunk_size);
  // True when mounted; false when the registry declined (the caller then uploads).
  core::Result<bool> mount_blob(const std::string& repo, const std::string& from_repo,
                                const core::Digest& digest);

  core::Result<std::vector<std::string>> list_tags(const std::string& repo);

  // The referrers of `subject` as an OCI index body: the referrers API, else the
  // "sha256-<hex>" tag of the fallback schema, else an empty index.
  core::Result<Manifest> referrers(const std::string& repo, const core::Digest& subject,
                                   const std::string& artifact_type = "");
  // Adds `descriptor` to the fallback index tagged "sha256-<subject hex>".
  core::Result<void> add_referrer_fallback(const std::string& repo, const core::Digest& subject,
                                           const Descriptor& descriptor);

  // Requests performed, for tests and benchmarks ("GET blob" counts etc.).
  uint64_t blob_get_count() const { return blob_gets_; }

 private:
  struct Token {
    std::string value;
    std::chrono::steady_clock::time_point expires;
  };
  struct Send {
    HttpRequest request;
    std::vector<std::string> scopes;  // "repository:team/app:pull"
    const BodySink* sink = nullptr;
    bool retry_transport_errors = true;
    std::string what;  // "GET manifest team/app:1.0" for messages
  };

  friend class BlobReader;
  core::Result<HttpResponse> send(Send s);
  // send() for a streamed body: auth, 401 re-authentication and 429/5xx retries happen before
  // the body is read; the stream's head() is the final answer.
  core::Result<std::unique_ptr<BodyStream>> open_stream(Send s);
  core::Result<void> authorize(HttpRequest& req, const std::vector<std::string>& scopes,
                               bool force_refresh);
  core::Result<void> learn_challenge(const HttpResponse& resp);
  core::Result<std::string> fetch_token(const std::vector<std::string>& scopes);
  core::Result<std::optional<Credential>> credential();
  core::Error http_error(const std::string& what, const HttpResponse& resp) const;
  std::string resolve_location(const std::string& location) const;
  std::chrono::milliseconds backoff(int attempt, const HttpResponse* resp) const;

  std::string registry_;
  ClientOptions options_;
  std::shared_ptr<Transport> transport_;
  std::shared_ptr<Clock> clock_;

  std::mutex mu_;
  std::string auth_scheme_;  // "", "basic", "bearer" (learnt from the first 401)
  std::string realm_, service_;
  std::map<std::string, Token> tokens_;  // by joined scopes
  // By "realm service": a refresh token the token service issued in place of the identity
  // token (used for the rest of the run, never logged), and services that refused OAuth2
  // POSTs (then the GET flow with the password kept next to the identity token).
  std::map<std::string, std::string> refresh_tokens_;
  std::set<std::string> oauth_refused_;
  bool credential_loaded_ = false;
  std::optional<Credential> credential_;
  std::atomic<uint64_t> blob_gets_{0};
};

// The wait a Retry-After value asks for (RFC 9110 §10.2.3): delay-seconds, or an HTTP-date in
// any of the three forms a recipient must accept (IMF-fixdate, obsolete RFC 850 and asctime,
// RFC 9110 §5.6.7), measured against `now`. A date in the past is zero. nullopt when the value
// is neither (the caller then uses its own backoff). Not capped here.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

std::string scope_pull(const std::string& repo);
std::string scope_push(const std::string& repo);

}  // namespace bulwark::registry
