#include "registry/client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <ctime>

#include "core/json.hpp"
#include "core/log.hpp"
#include "registry/www_authenticate.hpp"

namespace bulwark::registry {

using core::Error;
using core::Result;
using nlohmann::json;

namespace {

constexpr size_t kMaxTagPages = 1000;
constexpr uint64_t kMaxTokenResponse = 1 << 20;
constexpr int64_t kDefaultTokenSeconds = 60;  // distribution token spec default for expires_in
// oauth.md: client_id is required, need not be registered, and identifies the client for audits.
constexpr std::string_view kOAuthClientId = "bulwark";

bool is_digest_ref(const std::string& ref) {
  return ref.starts_with("sha256:") || ref.find(':') != std::string::npos;
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

std::string url_escape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      static const char* hex = "0123456789ABCDEF";
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

// The first error of a distribution-spec error body: "MANIFEST_UNKNOWN: manifest unknown".
std::string error_detail(const std::string& body) {
  if (body.empty()) return "";
  auto doc = core::parse_json(body, "error body");
  if (!doc.ok() || !doc->is_object()) return "";
  auto errs = doc->find("errors");
  if (errs == doc->end() || !errs->is_array() || errs->empty()) return "";
  const auto& e = (*errs)[0];
  std::string code = core::json_string(e, "code");
  std::string msg = core::json_string(e, "message");
  std::string out = code;
  if (!msg.empty()) out += (out.empty() ? "" : ": ") + msg;
  // Keep messages one short line.
  out.erase(std::remove_if(out.begin(), out.end(), [](char c) { return c == '\n' || c == '\r'; }),
            out.end());
  if (out.size() > 200) out = out.substr(0, 200) + "...";
  return out;
}

std::string append_query(const std::string& url, const std::string& q) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + q;
}

}  // namespace

std::string scope_pull(const std::string& repo) {
  return "repository:" + repo + ":pull";
}
std::string scope_push(const std::string& repo) {
  return "repository:" + repo + ":pull,push";
}

Client::Client(std::string registry, ClientOptions options)
    : registry_(std::move(registry)), options_(std::move(options)) {
  transport_ =
      options_.transport_impl ? options_.transport_impl : make_curl_transport(options_.transport);
  clock_ = options_.clock ? options_.clock : system_clock();
}

std::string Client::base_url() const {
  std::string host = registry_ == "docker.io" ? "registry-1.docker.io" : registry_;
  bool insecure = std::find(options_.insecure_hosts.begin(), options_.insecure_hosts.end(),
                            registry_) != options_.insecure_hosts.end();
  return (insecure ? "http://" : "https://") + host;
}

Result<std::optional<Credential>> Client::credential() {
  std::lock_guard lock(mu_);
  if (!credential_loaded_) {
    auto c = find_credential(registry_, options_.credentials);
    if (!c.ok())
      return std::move(c).error().with_context("registry " + registry_ + ": credentials");
    credential_ = *c;
    credential_loaded_ = true;
  }
  return credential_;
}

Error Client::http_error(const std::string& what, const HttpResponse& resp) const {
  std::string msg = "registry " + registry_ + ": " + what + ": HTTP " + std::to_string(resp.status);
  std::string detail = error_detail(resp.body);
  if (!detail.empty()) msg += " " + detail;
  if (resp.status == 404) return Error::not_found(msg);
  if (resp.status == 401 || resp.status == 403) return Error::io(msg + " (access denied)");
  if (resp.status == 429) return Error::io(msg + " (rate limited; retries exhausted)");
  return Error::io(msg);
}

std::string Client::resolve_location(const std::string& location) const {
  if (location.starts_with("http://") || location.starts_with("https://")) return location;
  if (location.starts_with("/")) return base_url() + location;
  return base_url() + "/" + location;
}

std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty() || value.size() > 64) return std::nullopt;
  // Anything beyond a day is capped by the caller anyway; the bound keeps the arithmetic small.
  constexpr int64_t kMaxSeconds = 86400;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    // delay-seconds.
    int64_t secs = 0;
    for (char c : value) {
      secs = secs * 10 + (c - '0');
      if (secs > kMaxSeconds) break;
    }
    return std::chrono::milliseconds(std::min(secs, kMaxSeconds) * 1000);
  }
  // HTTP-date: libcurl's date parser accepts all three forms; -1 means it could not parse.
  std::string text(value);
  time_t when = curl_getdate(text.c_str(), nullptr);
  if (when == -1) return std::nullopt;
  // Compared in seconds first: a date far from now (year 9999, or before 1970) would overflow
  // the clock's nanosecond time_point.
  int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  auto when_s = static_cast<int64_t>(when);
  if (when_s > now_ms / 1000 + kMaxSeconds) return std::chrono::milliseconds(kMaxSeconds * 1000);
  if (when_s < now_ms / 1000 - 1) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(std::max<int64_t>(0, when_s * 1000 - now_ms));
}

std::chrono::milliseconds Client::backoff(int attempt, const HttpResponse* resp) const {
  if (resp != nullptr) {
    std::string ra = resp->header("retry-after");
    if (!ra.empty()) {
      if (auto wait = parse_retry_after(ra, clock_->wall_now()))
        return std::min(options_.max_backoff, *wait);
      core::log_debug("registry {}: ignoring an unparseable Retry-After", registry_);
    }
  }
  auto d = options_.initial_backoff * (1LL << std::min(attempt, 16));
  return std::min(options_.max_backoff, std::chrono::duration_cast<std::chrono::milliseconds>(d));
}

Result<void> Client::learn_challenge(const HttpResponse& resp) {
  auto headers = resp.headers_named("www-authenticate");
  std::lock_guard lock(mu_);
  for (const auto& h : headers) {
    auto parsed = parse_www_authenticate(h);
    if (!parsed.ok()) return std::move(parsed).error().with_context("registry " + registry_);
    for (const auto& c : *parsed) {
      if (c.scheme == "bearer") {
        auto realm = c.params.find("realm");
        if (realm == c.params.end() || realm->second.empty())
          return Error::invalid("registry " + registry_ + ": Bearer challenge without a realm");
        if (!realm->second.starts_with("https://") && !realm->second.starts_with("http://"))
          return Error::invalid("registry " + registry_ + ": Bearer realm is not an http(s) URL");
        auth_scheme_ = "bearer";
        realm_ = realm->second;
        auto service = c.params.find("service");
        service_ = service == c.params.end() ? "" : service->second;
        return core::ok();
      }
    }
    for (const auto& c : *parsed) {
      if (c.scheme == "basic") {
        auth_scheme_ = "basic";
        return core::ok();
      }
    }
  }
  return Error::unsupported("registry " + registry_ +
                            ": asks for authentication with no scheme bulwark supports "
                            "(Basic or Bearer)");
}

Result<std::string> Client::fetch_token(const std::vector<std::string>& scopes) {
  std::string realm, service;
  {
    std::lock_guard lock(mu_);
    realm = realm_;
    service = service_;
  }
  BW_ASSIGN_OR_RETURN(auto cred, credential());
  // The realm comes from the registry's answer: credentials go to a plain-HTTP realm only
  // when the registry itself was declared plain HTTP (--insecure-registry).
  if (cred && realm.starts_with("http://") && !base_url().starts_with("http://")) {
    return Error::io("registry " + registry_ +
                     ": refusing to send credentials to the plain-HTTP "
                     "token realm " +
                     realm);
  }
  HttpRequest req;
  req.max_body = kMaxTokenResponse;
  req.total_timeout = options_.request_timeout;
  const std::string service_key = realm + " " + service;
  bool oauth = cred && cred->identity_token;
  std::string refresh_token = oauth ? cred->secret : std::string();
  bool get_with_password = false;
  if (oauth) {
    std::lock_guard lock(mu_);
    if (oauth_refused_.count(service_key) != 0) {
      oauth = false;
      get_with_password = true;
    } else if (auto it = refresh_tokens_.find(service_key); it != refresh_tokens_.end()) {
      refresh_token = it->second;
    }
  }
  if (oauth) {
    // An identity token is an OAuth2 refresh token (distribution docs/spec/auth/oauth.md,
    // "Refreshing an Access Token"): POST a form with grant_type=refresh_token to the realm.
    // The scopes go in ONE space-separated scope parameter, per that document.
    req.method = "POST";
    req.url = realm;
    req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    req.body = "grant_type=refresh_token&refresh_token=" + url_escape(refresh_token) +
               "&service=" + url_escape(service) + "&client_id=" + std::string(kOAuthClientId);
    if (!scopes.empty()) req.body += "&scope=" + url_escape(join(scopes, " "));
    core::log_debug(
        "registry {}: token request POST {} (OAuth2 refresh with the identity token "
        "from {}; scope {})",
        registry_, realm, cred->origin, join(scopes, " "));
  } else {
    std::string url = realm;
    if (!service.empty()) url = append_query(url, "service=" + url_escape(service));
    for (const auto& s : scopes) url = append_query(url, "scope=" + url_escape(s));
    req.url = url;
    if (get_with_password) {
      req.basic_auth = std::make_pair(cred->username, cred->password);
    } else if (cred) {
      req.basic_auth = std::make_pair(cred->username, cred->secret);
    }
    core::log_debug("registry {}: token request {} ({})", registry_, url,
                    get_with_password
                        ? "with the password next to the identity token from " + cred->origin
                    : cred ? "with credentials from " + cred->origin
                           : std::string("anonymous"));
  }
  Result<HttpResponse> resp = Error::internal("no attempt");
  for (int attempt = 0;; ++attempt) {
    resp = transport_->perform(req, nullptr);
    bool retry = !resp.ok() || resp->status == 429 || resp->status >= 500;
    if (!retry || attempt >= options_.max_retries) break;
    clock_->sleep_for(backoff(attempt, resp.ok() ? &*resp : nullptr));
  }
  if (!resp.ok()) return std::move(resp).error().with_context("registry " + registry_ + ": token");
  if (oauth && (resp->status == 400 || resp->status == 404 || resp->status == 405) &&
      !cred->password.empty()) {
    // oauth.md: a token service without OAuth2 answers the POST with 404 (others say 405, or
    // 400 for a grant they do not know); the GET flow of token.md, which every token service
    // implements, then takes the password stored next to the identity token. Remembered for
    // the rest of the run.
    core::log_debug(
        "registry {}: token service {} answered the OAuth2 POST with HTTP {}; using the GET "
        "token flow with the password from {}",
        registry_, realm, resp->status, cred->origin);
    {
      std::lock_guard lock(mu_);
      oauth_refused_.insert(service_key);
    }
    return fetch_token(scopes);
  }
  if (resp->status == 401 || resp->status == 403 || (oauth && resp->status == 400)) {
    // OAuth2 (RFC 6749 §5.2) reports a bad refresh token as 400 invalid_grant.
    return Error::io("registry " + registry_ + ": token service " + realm + " refused " +
                     (oauth  ? "the identity token"
                      : cred ? "the credentials"
                             : "anonymous access") +
                     " (HTTP " + std::to_string(resp->status) + ")");
  }
  if (oauth && (resp->status == 404 || resp->status == 405)) {
    // oauth.md: a token service without OAuth2 answers POST with 404 (or 405); such a service
    // cannot take an identity token, and no password was stored next to it.
    return Error::unsupported("registry " + registry_ + ": token service " + realm +
                              " does not accept OAuth2 POST requests (HTTP " +
                              std::to_string(resp->status) +
                              "), which an identity token needs; log in with a password instead");
  }
  if (resp->status != 200) return http_error("token from " + realm, *resp);
  auto doc = core::parse_json(resp->body, "token response");
  if (!doc.ok() || !doc->is_object())
    return Error::invalid("registry " + registry_ + ": token service " + realm +
                          " answered something that is not a JSON object");
  std::string token = core::json_string(*doc, "token");
  if (token.empty()) token = core::json_string(*doc, "access_token");
  if (token.empty())
    return Error::invalid("registry " + registry_ + ": token service " + realm +
                          " answered without a token");
  if (oauth) {
    // RFC 6749 §6: the service may issue a new refresh token with the access token; it then
    // replaces the identity token for the rest of the run (never logged, never stored).
    std::string rotated = core::json_string(*doc, "refresh_token");
    if (!rotated.empty() && rotated != refresh_token) {
      core::log_debug(
          "registry {}: token service {} issued a new refresh token; using it from now on",
          registry_, realm);
      std::lock_guard lock(mu_);
      refresh_tokens_[service_key] = std::move(rotated);
    }
  }
  int64_t expires_in = core::json_int(*doc, "expires_in", kDefaultTokenSeconds);
  if (expires_in < kDefaultTokenSeconds) expires_in = kDefaultTokenSeconds;
  // Refresh a little early so a token does not expire in flight.
  auto lifetime = std::chrono::seconds(expires_in) * 9 / 10;
  std::lock_guard lock(mu_);
  tokens_[join(scopes, " ")] = Token{token, clock_->now() + lifetime};
  return token;
}

Result<void> Client::authorize(HttpRequest& req, const std::vector<std::string>& scopes,
                               bool force_refresh) {
  std::string scheme;
  {
    std::lock_guard lock(mu_);
    scheme = auth_scheme_;
    if (scheme == "bearer" && !force_refresh) {
      auto it = tokens_.find(join(scopes, " "));
      if (it != tokens_.end() && it->second.expires > clock_->now()) {
        req.bearer_token = it->second.value;
        return core::ok();
      }
    }
  }
  if (scheme == "bearer") {
    BW_ASSIGN_OR_RETURN(auto token, fetch_token(scopes));
    req.bearer_token = token;
  } else if (scheme == "basic") {
    BW_ASSIGN_OR_RETURN(auto cred, credential());
    if (!cred)
      return Error::io("registry " + registry_ +
                       ": requires a login (Basic auth) and no credentials were found "
                       "(--username/--password-stdin, BULWARK_REGISTRY_USERNAME/PASSWORD or "
                       "~/.docker/config.json)");
    if (cred->identity_token)
      return Error::unsupported("registry " + registry_ + ": asks for Basic auth, but the " +
                                "credential from " + cred->origin +
                                " is an identity token, which only works with a token service");
    req.basic_auth = std::make_pair(cred->username, cred->secret);
  }
  return core::ok();
}

Result<HttpResponse> Client::send(Send s) {
  bool refreshed = false;
  for (int attempt = 0;; ++attempt) {
    HttpRequest req = s.request;
    BW_TRY(authorize(req, s.scopes, false));
    if (req.total_timeout.count() == 0 && s.sink == nullptr)
      req.total_timeout = options_.request_timeout;
    auto resp = transport_->perform(req, s.sink);
    if (!resp.ok()) {
      core::log_debug("registry {}: {} {} failed: {}", registry_, req.method, req.url,
                      resp.error().message());
      bool cancelled = req.cancel != nullptr && req.cancel->load();
      if (!cancelled && s.retry_transport_errors && attempt < options_.max_retries &&
          resp.error().code() == core::ErrorCode::kIo) {
        clock_->sleep_for(backoff(attempt, nullptr));
        continue;
      }
      return std::move(resp).error().with_context("registry " + registry_ + ": " + s.what);
    }
    core::log_debug("registry {}: {} {} -> {} (HTTP/{})", registry_, req.method, req.url,
                    resp->status, resp->http_version);
    if (resp->status == 401 && !refreshed) {
      // First contact, an expired token, or a token without the scope this needs.
      refreshed = true;
      BW_TRY(learn_challenge(*resp));
      {
        std::lock_guard lock(mu_);
        tokens_.erase(join(s.scopes, " "));
      }
      --attempt;
      continue;
    }
    bool cancelled = req.cancel != nullptr && req.cancel->load();
    if (!cancelled && (resp->status == 429 || resp->status >= 500) &&
        attempt < options_.max_retries) {
      auto wait = backoff(attempt, &*resp);
      core::log_debug("registry {}: HTTP {}, retrying in {} ms", registry_, resp->status,
                      wait.count());
      clock_->sleep_for(wait);
      continue;
    }
    return resp;
  }
}

Result<std::unique_ptr<BodyStream>> Client::open_stream(Send s) {
  bool refreshed = false;
  for (int attempt = 0;; ++attempt) {
    HttpRequest req = s.request;
    BW_TRY(authorize(req, s.scopes, false));
    auto opened = transport_->open(req);
    if (!opened.ok()) {
      core::log_debug("registry {}: {} {} failed: {}", registry_, req.method, req.url,
                      opened.error().message());
      bool cancelled = req.cancel != nullptr && req.cancel->load();
      if (!cancelled && s.retry_transport_errors && attempt < options_.max_retries &&
          opened.error().code() == core::ErrorCode::kIo) {
        clock_->sleep_for(backoff(attempt, nullptr));
        continue;
      }
      return std::move(opened).error().with_context("registry " + registry_ + ": " + s.what);
    }
    const HttpResponse& head = (*opened)->head();
    core::log_debug("registry {}: {} {} -> {} (HTTP/{})", registry_, req.method, req.url,
                    head.status, head.http_version);
    if (head.status == 401 && !refreshed) {
      refreshed = true;
      BW_TRY(learn_challenge(head));
      {
        std::lock_guard lock(mu_);
        tokens_.erase(join(s.scopes, " "));
      }
      --attempt;
      continue;
    }
    bool cancelled = req.cancel != nullptr && req.cancel->load();
    if (!cancelled && (head.status == 429 || head.status >= 500) &&
        attempt < options_.max_retries) {
      auto wait = backoff(attempt, &head);
      core::log_debug("registry {}: HTTP {}, retrying in {} ms", registry_, head.status,
                      wait.count());
      opened->reset();
      clock_->sleep_for(wait);
      continue;
    }
    return std::move(*opened);
  }
}

Result<void> Client::ping() {
  Send s;
  s.request.url = base_url() + "/v2/";
  s.what = "GET /v2/";
  BW_ASSIGN_OR_RETURN(auto resp, send(std::move(s)));
  if (resp.status != 200) return http_error("GET /v2/", resp);
  return core::ok();
}

Result<FetchedManifest> Client::get_manifest(const std::string& repo, const std::string& ref) {
  Send s;
  s.request.url = base_url() + "/v2/" + repo + "/manifests/" + ref;
  s.request.headers.emplace_back("Accept", std::string(kManifestAccept));
  s.request.max_body = options_.max_manifest_bytes;
  s.scopes = {scope_pull(repo)};
  s.what = "manifest " + repo + (is_digest_ref(ref) ? "@" : ":") + ref;
  auto r = send(s);
  if (!r.ok()) {
    if (r.error().code() == core::ErrorCode::kLimitExceeded)
      return Error::limit("registry " + registry_ + ": " + s.what + ": larger than the " +
                          std::to_string(options_.max_manifest_bytes) + "-byte manifest limit");
    return std::move(r).error();
  }
  auto& resp = *r;
  if (resp.status != 200) return http_error(s.what, resp);
  FetchedManifest m;
  m.digest = core::Digest::of(resp.body);
  m.media_type = resp.header("content-type");
  if (is_digest_ref(ref)) {
    BW_ASSIGN_OR_RETURN(auto want, core::Digest::parse(ref));
    if (want != m.digest)
      return Error::digest_mismatch("registry " + registry_ + ": " + s.what +
                                    ": content hashes to " + m.digest.str() +
                                    ", not the requested digest");
  } else if (std::string announced = resp.header("docker-content-digest"); !announced.empty()) {
    auto d = core::Digest::parse(announced);
    if (d.ok() && *d != m.digest)
      return Error::digest_mismatch("registry " + registry_ + ": " + s.what +
                                    ": content hashes to " + m.digest.str() +
                                    " but the registry announced " + d->str());
  }
  m.body = std::move(resp.body);
  return m;
}

Result<std::optional<std::pair<core::Digest, int64_t>>> Client::head_manifest(
    const std::string& repo, const std::string& ref) {
  Send s;
  s.request.method = "HEAD";
  s.request.url = base_url() + "/v2/" + repo + "/manifests/" + ref;
  s.request.headers.emplace_back("Accept", std::string(kManifestAccept));
  s.scopes = {scope_pull(repo)};
  s.what = "HEAD manifest " + repo + " " + ref;
  BW_ASSIGN_OR_RETURN(auto resp, send(std::move(s)));
  using Out = std::optional<std::pair<core::Digest, int64_t>>;
  if (resp.status == 404) return Out{};
  if (resp.status != 200) return http_error("HEAD manifest " + repo + " " + ref, resp);
  auto d = core::Digest::parse(resp.header("docker-content-digest"));
  if (!d.ok()) return Error::invalid("registry " + registry_ + ": HEAD manifest without a digest");
  int64_t size = -1;
  std::string len = resp.header("content-length");
  if (!len.empty() && len.size() < 19 && std::all_of(len.begin(), len.end(), ::isdigit))
    size = std::stoll(len);
  return Out{std::make_pair(*d, size)};
}

Result<core::Digest> Client::put_manifest(const std::string& repo, const std::string& ref,
                                          const std::string& body, const std::string& media_type,
                                          bool* referrers_supported) {
  Send s;
  s.request.method = "PUT";
  s.request.url = base_url() + "/v2/" + repo + "/manifests/" + ref;
  s.request.headers.emplace_back("Content-Type", media_type);
  s.request.body = body;
  s.scopes = {scope_push(repo)};
  s.what = "PUT manifest " + repo + ":" + ref;
  BW_ASSIGN_OR_RETURN(auto resp, send(std::move(s)));
  if (resp.status != 201) return http_error("PUT manifest " + repo + ":" + ref, resp);
  // OCI 1.1: a registry that processed the subject says so with OCI-Subject.
  if (referrers_supported != nullptr) *referrers_supported = !resp.header("oci-subject").empty();
  return core::Digest::of(body);
}

Result<std::string> Client::get_blob(const std::string& repo, const core::Digest& digest,
                                     uint64_t limit, int64_t expected_size) {
  std::string out;
  std::optional<Error> err;
  if (expected_size > static_cast<int64_t>(limit))
    return Error::limit("registry " + registry_ + ": blob " + digest.str() + " declares " +
                        std::to_string(expected_size) + " bytes, over the limit of " +
                        std::to_string(limit));
  auto r = download_blob(repo, digest, expected_size, [&](std::string_view chunk) {
    if (out.size() + chunk.size() > limit) {
      err = Error::limit("registry " + registry_ + ": blob " + digest.str() +
                         " larger than the limit of " + std::to_string(limit) + " bytes");
      return false;
    }
    out.append(chunk);
    return true;
  });
  if (err) return *err;
  BW_TRY(r);
  if (core::Digest::of(out) != digest)
    return Error::digest_mismatch("registry " + registry_ + ": blob " + digest.str() +
                                  ": content hashes to " + core::Digest::of(out).str());
  return out;
}

BlobReader::BlobReader(Client* client, std::string repo, core::Digest digest, int64_t expected_size,
                       const std::atomic<bool>* cancel)
    : client_(client),
      repo_(std::move(repo)),
      digest_(std::move(digest)),
      expected_size_(expected_size),
      cancel_(cancel) {
  what_ = "blob " + repo_ + "@" + digest_.str();
}

Result<void> BlobReader::open_next(bool& fatal) {
  const std::string& reg = client_->registry_;
  Client::Send s;
  s.request.url = client_->base_url() + "/v2/" + repo_ + "/blobs/" + digest_.str();
  if (received_ > 0) s.request.range_start = received_;
  s.request.cancel = cancel_;
  s.scopes = {scope_pull(repo_)};
  s.retry_transport_errors = false;  // resumed by read() with Range instead
  s.what = what_;
  ++client_->blob_gets_;
  BW_ASSIGN_OR_RETURN(auto stream, client_->open_stream(std::move(s)));
  const HttpResponse& head = stream->head();
  fatal = true;
  if (head.status != 200 && head.status != 206) return client_->http_error(what_, head);
  skip_ = 0;
  if (received_ > 0) {
    if (head.status == 200) {
      skip_ = received_;  // the server ignored Range: drop what was already delivered
    } else {
      std::string cr = head.header("content-range");
      if (!cr.starts_with("bytes " + std::to_string(received_) + "-"))
        return Error::invalid("registry " + reg + ": " + what_ +
                              ": resumed at the wrong offset (Content-Range '" + cr + "')");
    }
  }
  fatal = false;
  stream_ = std::move(stream);
  return core::ok();
}

Result<size_t> BlobReader::read(std::span<std::byte> buf) {
  const std::string& reg = client_->registry_;
  if (finished_ || buf.empty()) return size_t{0};
  while (true) {
    if (cancel_ != nullptr && cancel_->load())
      return Error::io("registry " + reg + ": " + what_ + ": download cancelled");
    std::optional<Error> failure;
    if (!stream_) {
      bool fatal = false;
      auto opened = open_next(fatal);
      if (!opened.ok()) {
        if (fatal) return std::move(opened).error();
        failure = std::move(opened).error();
      }
    }
    if (stream_) {
      auto n = stream_->read(buf);
      if (n.ok() && *n > 0) {
        size_t got = *n;
        if (skip_ > 0) {
          size_t drop = static_cast<size_t>(std::min<uint64_t>(skip_, got));
          skip_ -= drop;
          if (drop == got) continue;
          std::memmove(buf.data(), buf.data() + drop, got - drop);
          got -= drop;
        }
        if (expected_size_ >= 0 && received_ + got > static_cast<uint64_t>(expected_size_)) {
          stream_.reset();
          finished_ = true;
          return Error::invalid("registry " + reg + ": " + what_ + ": larger than the " +
                                std::to_string(expected_size_) + " bytes its descriptor says");
        }
        received_ += got;
        return got;
      }
      stream_.reset();
      if (n.ok()) {
        if (expected_size_ < 0 || received_ == static_cast<uint64_t>(expected_size_)) {
          finished_ = true;
          return size_t{0};
        }
        // The body ended early without a transport error (no Content-Length): resume.
      } else {
        failure = std::move(n).error();
      }
    }
    if (cancel_ != nullptr && cancel_->load())
      return Error::io("registry " + reg + ": " + what_ + ": download cancelled");
    if (resumes_ >= client_->options_.max_retries) {
      if (failure) return std::move(*failure);
      return Error::io("registry " + reg + ": " + what_ + ": ended after " +
                       std::to_string(received_) + " of " + std::to_string(expected_size_) +
                       " bytes");
    }
    core::log_info("registry {}: {} interrupted after {} bytes ({}); resuming", reg, what_,
                   received_, failure ? failure->message() : std::string("short body"));
    client_->clock_->sleep_for(client_->backoff(resumes_, nullptr));
    ++resumes_;
  }
}

std::unique_ptr<BlobReader> Client::open_blob(const std::string& repo, const core::Digest& digest,
                                              int64_t expected_size,
                                              const std::atomic<bool>* cancel) {
  return std::unique_ptr<BlobReader>(new BlobReader(this, repo, digest, expected_size, cancel));
}

Result<void> Client::download_blob(const std::string& repo, const core::Digest& digest,
                                   int64_t expected_size,
                                   const std::function<bool(std::string_view)>& consume,
                                   const std::atomic<bool>* cancel) {
  auto reader = open_blob(repo, digest, expected_size, cancel);
  std::vector<std::byte> buf(64 * 1024);
  while (true) {
    BW_ASSIGN_OR_RETURN(size_t n, reader->read(buf));
    if (n == 0) return core::ok();
    if (!consume(std::string_view(reinterpret_cast<const char*>(buf.data()), n)))
      return Error::io("registry " + registry_ + ": blob " + repo + "@" + digest.str() +
                       ": download cancelled");
  }
}

Result<std::optional<int64_t>> Client::blob_exists(const std::string& repo,
                                                   const core::Digest& digest) {
  Send s;
  s.request.method = "HEAD";
  s.request.url = base_url() + "/v2/" + repo + "/blobs/" + digest.str();
  s.scopes = {scope_pull(repo)};
  s.what = "HEAD blob " + digest.str();
  BW_ASSIGN_OR_RETURN(auto resp, send(std::move(s)));
  if (resp.status == 404) return std::optional<int64_t>{};
  if (resp.status != 200) return http_error("HEAD blob " + repo + "@" + digest.str(), resp);
  std::string len = resp.header("content-length");
  int64_t size = -1;
  if (!len.empty() && len.size() < 19 && std::all_of(len.begin(), len.end(), ::isdigit))
    size = std::stoll(len);
  return std::optional<int64_t>{size};
}

Result<UploadResult> Client::upload_blob(const std::string& repo, std::string_view data) {
  core::Digest digest = core::Digest::of(data);
  Send start;
  start.request.method = "POST";
  start.request.url = base_url() + "/v2/" + repo + "/blobs/uploads/";
  start.scopes = {scope_push(repo)};
  start.what = "start upload to " + repo;
  BW_ASSIGN_OR_RETURN(auto r1, send(start));
  if (r1.status != 202) return http_error(start.what, r1);
  std::string loc = r1.header("location");
  if (loc.empty()) return Error::invalid("registry " + registry_ + ": upload without a Location");
  Send put;
  put.request.method = "PUT";
  put.request.url = append_query(resolve_location(loc), "digest=" + url_escape(digest.str()));
  put.request.headers.emplace_back("Content-Type", "application/octet-stream");
  put.request.body = std::string(data);
  put.scopes = start.scopes;
  put.what = "upload blob " + digest.str() + " to " + repo;
  BW_ASSIGN_OR_RETURN(auto r2, send(std::move(put)));
  if (r2.status != 201) return http_error("upload blob " + digest.str(), r2);
  return UploadResult{digest, r2.header("location")};
}

Result<UploadResult> Client::upload_blob_chunked(const std::string& repo, std::string_view data,
                                                 size_t chunk_size) {
  if (chunk_size == 0) return Error::invalid("chunk size 0");
  core::Digest digest = core::Digest::of(data);
  Send start;
  start.request.method = "POST";
  start.request.url = base_url() + "/v2/" + repo + "/blobs/uploads/";
  start.scopes = {scope_push(repo)};
  start.what = "start chunked upload to " + repo;
  BW_ASSIGN_OR_RETURN(auto r1, send(start));
  if (r1.status != 202) return http_error(start.what, r1);
  std::string loc = r1.header("location");
  for (size_t off = 0; off < data.size(); off += chunk_size) {
    if (loc.empty()) return Error::invalid("registry " + registry_ + ": upload without a Location");
    std::string_view chunk = data.substr(off, chunk_size);
    Send patch;
    patch.request.method = "PATCH";
    patch.request.url = resolve_location(loc);
    patch.request.headers.emplace_back("Content-Type", "application/octet-stream");
    patch.request.headers.emplace_back(
        "Content-Range", std::to_string(off) + "-" + std::to_string(off + chunk.size() - 1));
    patch.request.body = std::string(chunk);
    patch.scopes = start.scopes;
    patch.retry_transport_errors = false;  // a chunk is not idempotent
    patch.what = "upload chunk at " + std::to_string(off);
    BW_ASSIGN_OR_RETURN(auto rp, send(std::move(patch)));
    if (rp.status != 202) return http_error("upload chunk at " + std::to_string(off), rp);
    loc = rp.header("location");
  }
  if (loc.empty()) return Error::invalid("registry " + registry_ + ": upload without a Location");
  Send put;
  put.request.method = "PUT";
  put.request.url = append_query(resolve_location(loc), "digest=" + url_escape(digest.str()));
  put.request.headers.emplace_back("Content-Type", "application/octet-stream");
  put.scopes = start.scopes;
  put.what = "finish chunked upload of " + digest.str();
  BW_ASSIGN_OR_RETURN(auto r2, send(std::move(put)));
  if (r2.status != 201) return http_error(put.what, r2);
  return UploadResult{digest, r2.header("location")};
}

Result<bool> Client::mount_blob(const std::string& repo, const std::string& from_repo,
                                const core::Digest& digest) {
  Send s;
  s.request.method = "POST";
  s.request.url = base_url() + "/v2/" + repo + "/blobs/uploads/?mount=" + url_escape(digest.str()) +
                  "&from=" + url_escape(from_repo);
  s.scopes = {scope_push(repo), scope_pull(from_repo)};
  s.what = "mount " + digest.str() + " from " + from_repo + " into " + repo;
  BW_ASSIGN_OR_RETURN(auto resp, send(s));
  if (resp.status == 201) return true;
  if (resp.status == 202) return false;  // an upload session was opened instead
  return http_error(s.what, resp);
}

Result<std::vector<std::string>> Client::list_tags(const std::string& repo) {
  std::vector<std::string> tags;
  std::string url = base_url() + "/v2/" + repo + "/tags/list?n=1000";
  for (size_t page = 0; page < kMaxTagPages && !url.empty(); ++page) {
    Send s;
    s.request.url = url;
    s.scopes = {scope_pull(repo)};
    s.what = "tags of " + repo;
    BW_ASSIGN_OR_RETURN(auto resp, send(s));
    if (resp.status != 200) return http_error(s.what, resp);
    BW_ASSIGN_OR_RETURN(auto doc,
                        core::parse_json(resp.body, "registry " + registry_ + ": " + s.what));
    auto t = doc.is_object() ? doc.find("tags") : doc.end();
    if (doc.is_object() && t != doc.end() && t->is_array()) {
      for (const auto& x : *t) {
        if (x.is_string()) tags.push_back(x.get<std::string>());
      }
    }
    // Link: </v2/<name>/tags/list?n=1000&last=x>; rel="next"
    url.clear();
    std::string link = resp.header("link");
    if (auto lt = link.find('<'), gt = link.find('>');
        lt != std::string::npos && gt != std::string::npos && gt > lt &&
        link.find("rel=\"next\"") != std::string::npos) {
      url = resolve_location(link.substr(lt + 1, gt - lt - 1));
    }
  }
  return tags;
}

Result<Manifest> Client::referrers(const std::string& repo, const core::Digest& subject,
                                   const std::string& artifact_type) {
  Send s;
  s.request.url = base_url() + "/v2/" + repo + "/referrers/" + subject.str();
  if (!artifact_type.empty())
    s.request.url = append_query(s.request.url, "artifactType=" + url_escape(artifact_type));
  s.request.max_body = options_.max_manifest_bytes;
  s.scopes = {scope_pull(repo)};
  s.what = "referrers of " + subject.str();
  BW_ASSIGN_OR_RETURN(auto resp, send(s));
  std::string where = "registry " + registry_ + ": " + s.what;
  Manifest out;
  if (resp.status == 200) {
    BW_ASSIGN_OR_RETURN(out, parse_manifest(resp.body, resp.header("content-type"), where));
  } else if (resp.status == 404) {
    // No referrers API: the tag schema (distribution-spec "Referrers Tag Schema").
    auto fallback = get_manifest(repo, "sha256-" + subject.hex);
    if (!fallback.ok()) {
      if (fallback.error().code() != core::ErrorCode::kNotFound) return std::move(fallback).error();
      out.is_index = true;
      out.media_type = kOciIndex;
      return out;
    }
    BW_ASSIGN_OR_RETURN(out, parse_manifest(fallback->body, fallback->media_type, where));
  } else {
    return http_error(s.what, resp);
  }
  if (!out.is_index) return Error::invalid(where + ": answer is not an image index");
  if (!artifact_type.empty()) {
    std::erase_if(out.manifests,
                  [&](const Descriptor& d) { return d.artifact_type != artifact_type; });
  }
  return out;
}

Result<void> Client::add_referrer_fallback(const std::string& repo, const core::Digest& subject,
                                           const Descriptor& descriptor) {
  std::string tag = "sha256-" + subject.hex;
  json index = {{"schemaVersion", 2}, {"mediaType", kOciIndex}, {"manifests", json::array()}};
  auto existing = get_manifest(repo, tag);
  if (existing.ok()) {
    BW_ASSIGN_OR_RETURN(auto doc,
                        core::parse_json(existing->body, "registry " + registry_ + ": " + tag));
    if (doc.is_object() && doc.contains("manifests") && doc["manifests"].is_array()) index = doc;
  } else if (existing.error().code() != core::ErrorCode::kNotFound) {
    return std::move(existing).error();
  }
  for (const auto& m : index["manifests"]) {
    if (core::json_string(m, "digest") == descriptor.digest.str()) return core::ok();
  }
  json d = {{"mediaType", descriptor.media_type},
            {"digest", descriptor.digest.str()},
            {"size", descriptor.size}};
  if (!descriptor.artifact_type.empty()) d["artifactType"] = descriptor.artifact_type;
  if (!descriptor.annotations.empty()) d["annotations"] = descriptor.annotations;
  index["manifests"].push_back(d);
  BW_TRY(put_manifest(repo, tag, index.dump(), std::string(kOciIndex)));
  return core::ok();
}

}  // namespace bulwark::registry
