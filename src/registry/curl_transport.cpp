// libcurl behind the Transport interface. One easy handle per concurrent transfer, taken from
// a pool so connections (and TLS sessions) are reused. CURLOPT_VERBOSE is never enabled: it
// would print Authorization headers.
#include <curl/curl.h>

#include <mutex>
#include <thread>

#include "core/log.hpp"
#include "registry/transport.hpp"

namespace bulwark::registry {

using core::Error;
using core::Result;

std::string HttpResponse::header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? std::string() : it->second;
}

std::vector<std::string> HttpResponse::headers_named(std::string_view name) const {
  std::vector<std::string> out;
  auto [b, e] = headers.equal_range(std::string(name));
  for (auto it = b; it != e; ++it) out.push_back(it->second);
  return out;
}

namespace {

constexpr size_t kMaxErrorBody = 64 * 1024;
constexpr size_t kMaxHeaders = 256;
constexpr size_t kMaxHeaderBytes = 256 * 1024;

struct TransferState {
  const HttpRequest* request = nullptr;
  const BodySink* sink = nullptr;
  HttpResponse response;
  size_t header_bytes = 0;
  bool body_too_large = false;
  bool sink_aborted = false;
  bool headers_too_large = false;
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* st = static_cast<TransferState*>(user);
  std::string_view line(data, size * n);
  st->header_bytes += line.size();
  if (st->header_bytes > kMaxHeaderBytes || st->response.headers.size() > kMaxHeaders) {
    st->headers_too_large = true;
    return 0;
  }
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    // A new response (after a redirect or 100 Continue): forget the previous one's headers.
    st->response.headers.clear();
    size_t sp = line.find(' ');
    st->response.status = 0;
    if (sp != std::string_view::npos) {
      st->response.http_version = std::string(line.substr(5, sp - 5));
      for (size_t i = sp + 1; i < line.size() && i < sp + 4; ++i) {
        if (line[i] < '0' || line[i] > '9') break;
        st->response.status = st->response.status * 10 + (line[i] - '0');
      }
    }
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  st->response.headers.emplace(lower(line.substr(0, colon)), std::string(value));
  return size * n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* cancel = static_cast<const std::atomic<bool>*>(user);
  return cancel != nullptr && cancel->load() ? 1 : 0;
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* st = static_cast<TransferState*>(user);
  std::string_view chunk(data, size * n);
  bool success = st->response.status >= 200 && st->response.status < 300;
  if (success && st->sink != nullptr) {
    if (!(*st->sink)(st->response, chunk)) {
      st->sink_aborted = true;
      return 0;
    }
    return chunk.size();
  }
  uint64_t limit = success ? st->request->max_body : kMaxErrorBody;
  if (st->response.body.size() + chunk.size() > limit) {
    if (!success) return chunk.size();  // an error body is only for the message: truncate
    st->body_too_large = true;
    return 0;
  }
  st->response.body.append(chunk);
  return chunk.size();
}

class CurlTransport final : public Transport {
 public:
  explicit CurlTransport(TransportOptions o) : options_(std::move(o)) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }
  ~CurlTransport() override {
    for (CURL* h : pool_) curl_easy_cleanup(h);
  }
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<HttpResponse> perform(const HttpRequest& req, const BodySink* sink) override {
    CURL* h = acquire();
    auto result = run(h, req, sink);
    release(h);
    return result;
  }

 private:
  CURL* acquire() {
    std::lock_guard lock(mu_);
    if (!pool_.empty()) {
      CURL* h = pool_.back();
      pool_.pop_back();
      return h;
    }
    return curl_easy_init();
  }
  void release(CURL* h) {
    std::lock_guard lock(mu_);
    pool_.push_back(h);
  }

  Result<HttpResponse> run(CURL* h, const HttpRequest& req, const BodySink* sink) {
    if (h == nullptr) return Error::internal("curl_easy_init failed");
    curl_easy_reset(h);
    TransferState st;
    st.request = &req;
    st.sink = sink;
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_slist* headers = nullptr;
    for (const auto& [k, v] : req.headers)
      headers = curl_slist_append(headers, (k + ": " + v).c_str());
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
    std::string range;
    if (req.range_start) range = std::to_string(*req.range_start) + "-";

    curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, req.follow_redirects ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, options_.max_redirects);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, options_.low_speed_bytes);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
                     std::max(1L, static_cast<long>(options_.low_speed_time.count() / 1000)));
    if (req.total_timeout.count() > 0)
      curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(req.total_timeout.count()));
    if (!options_.ca_cert.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_cert.c_str());
    curl_easy_setopt(h, CURLOPT_USERAGENT, "bulwark");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &st);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &st);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, nullptr);  // blobs are hashed as sent
    // Larger receive chunks: fewer callbacks and buffer hand-offs for multi-GB layers.
    curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 256L * 1024);
    if (!range.empty()) curl_easy_setopt(h, CURLOPT_RANGE, range.c_str());
    if (req.cancel != nullptr) {
      curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
      curl_easy_setopt(h, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(req.cancel));
    }
    if (req.basic_auth) {
      curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
      curl_easy_setopt(h, CURLOPT_USERNAME, req.basic_auth->first.c_str());
      curl_easy_setopt(h, CURLOPT_PASSWORD, req.basic_auth->second.c_str());
    } else if (req.bearer_token) {
      curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
      curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, req.bearer_token->c_str());
    }
    if (req.method == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (req.method == "GET") {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, req.body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
      if (req.method != "POST") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    }

    CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(headers);
    char* eff = nullptr;
    if (curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK && eff != nullptr)
      st.response.effective_url = eff;
    long code = 0;
    if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK && code != 0)
      st.response.status = code;
    if (st.body_too_large)
      return Error::limit(req.method + " " + req.url + ": response larger than the limit of " +
                          std::to_string(req.max_body) + " bytes");
    if (st.headers_too_large)
      return Error::limit(req.method + " " + req.url + ": response headers too large");
    if (st.sink_aborted || rc == CURLE_ABORTED_BY_CALLBACK)
      return Error::io(req.method + " " + req.url + ": transfer aborted");
    if (rc != CURLE_OK) {
      std::string why = errbuf[0] != 0 ? errbuf : curl_easy_strerror(rc);
      if (rc == CURLE_OPERATION_TIMEDOUT) why = "timed out: " + why;
      if (rc == CURLE_TOO_MANY_REDIRECTS) why = "redirect loop: " + why;
      // Not transient: no retries (also the usual result of a mistyped local path).
      if (rc == CURLE_COULDNT_RESOLVE_HOST)
        return Error::not_found(req.method + " " + req.url + ": " + why);
      return Error::io(req.method + " " + req.url + ": " + why);
    }
    return std::move(st.response);
  }

  TransportOptions options_;
  std::mutex mu_;
  std::vector<CURL*> pool_;
};

class SystemClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point now() const override {
    return std::chrono::steady_clock::now();
  }
  void sleep_for(std::chrono::milliseconds d) const override { std::this_thread::sleep_for(d); }
};

}  // namespace

std::shared_ptr<Transport> make_curl_transport(const TransportOptions& options) {
  return std::make_shared<CurlTransport>(options);
}

std::shared_ptr<Clock> system_clock() {
  static auto clock = std::make_shared<SystemClock>();
  return clock;
}

}  // namespace bulwark::registry
