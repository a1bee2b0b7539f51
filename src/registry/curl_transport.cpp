// libcurl behind the Transport interface. One easy handle per concurrent transfer, taken from
// a pool so connections (and TLS sessions) are reused. CURLOPT_VERBOSE is never enabled: it
// would print Authorization headers.
#include <curl/curl.h>

#include <cstring>
#include <mutex>
#include <optional>
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
  // Pull mode (CurlBodyStream): a 2xx body is copied straight into the reader's buffer
  // (out/out_cap, out_len so far); what does not fit waits in `spill` for the next read.
  bool pull = false;
  std::byte* out = nullptr;
  size_t out_cap = 0;
  size_t out_len = 0;
  std::string spill;
  size_t spill_pos = 0;
  bool body_started = false;
  bool paused = false;
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
  if (success && st->pull) {
    st->body_started = true;
    // Bytes already wait for the reader and this chunk does not fit beside them: libcurl
    // keeps it (and stops reading) until the next read() resumes the transfer. Spilling it
    // instead would copy most of the body twice, as the server runs ahead of decompression.
    bool pending = st->out_len > 0 || st->spill_pos < st->spill.size();
    if (pending && chunk.size() > st->out_cap - st->out_len) {
      st->paused = true;
      return CURL_WRITEFUNC_PAUSE;
    }
    size_t take = std::min(chunk.size(), st->out_cap - st->out_len);
    if (take > 0) std::memcpy(st->out + st->out_len, chunk.data(), take);
    st->out_len += take;
    if (take < chunk.size()) {
      if (st->spill_pos == st->spill.size()) {
        st->spill.clear();
        st->spill_pos = 0;
      }
      st->spill.append(chunk.substr(take));
    }
    return chunk.size();
  }
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

// What one transfer needs to outlive curl_easy_perform / the pull stream's life.
struct Prepared {
  TransferState st;
  curl_slist* headers = nullptr;
  std::string range;
  char errbuf[CURL_ERROR_SIZE] = {0};
  Prepared() = default;
  Prepared(const Prepared&) = delete;
  Prepared& operator=(const Prepared&) = delete;
  ~Prepared() { curl_slist_free_all(headers); }
};

// The outcome of a finished transfer: the response, or the one-line error it ended with.
Result<HttpResponse> conclude(CURL* h, CURLcode rc, Prepared& p, const HttpRequest& req) {
  TransferState& st = p.st;
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
    std::string why = p.errbuf[0] != 0 ? p.errbuf : curl_easy_strerror(rc);
    if (rc == CURLE_OPERATION_TIMEDOUT) why = "timed out: " + why;
    if (rc == CURLE_TOO_MANY_REDIRECTS) why = "redirect loop: " + why;
    // Not transient: no retries (also the usual result of a mistyped local path).
    if (rc == CURLE_COULDNT_RESOLVE_HOST)
      return Error::not_found(req.method + " " + req.url + ": " + why);
    return Error::io(req.method + " " + req.url + ": " + why);
  }
  return st.response;
}

// A pooled easy handle with its own multi handle: the multi keeps the connection cache, so a
// connection (and TLS session) is reused by the next transfer that takes this pair.
struct Handles {
  CURL* easy = nullptr;
  CURLM* multi = nullptr;
};

class CurlTransport;

// A response body pulled on the reader's thread: read() runs libcurl's multi interface until
// the write callback has filled the caller's buffer (or the transfer ends), so the bytes are
// copied once, from libcurl's receive buffer into the reader's, with no thread hand-off.
class CurlBodyStream final : public BodyStream {
 public:
  CurlBodyStream(CurlTransport* owner, Handles h, HttpRequest req)
      : owner_(owner), h_(h), req_(std::move(req)) {}
  ~CurlBodyStream() override;
  CurlBodyStream(const CurlBodyStream&) = delete;
  CurlBodyStream& operator=(const CurlBodyStream&) = delete;

  Result<void> start();
  const HttpResponse& head() const override { return p_.st.response; }
  Result<size_t> read(std::span<std::byte> buf) override {
    TransferState& st = p_.st;
    if (!success()) return size_t{0};
    if (st.spill_pos < st.spill.size()) {
      size_t n = std::min(buf.size(), st.spill.size() - st.spill_pos);
      std::memcpy(buf.data(), st.spill.data() + st.spill_pos, n);
      st.spill_pos += n;
      return n;
    }
    if (buf.empty()) return size_t{0};
    st.out = buf.data();
    st.out_cap = buf.size();
    st.out_len = 0;
    if (st.paused) {
      // Delivers the chunk libcurl kept (into buf, through on_body) and reads on.
      st.paused = false;
      CURLcode rc = curl_easy_pause(h_.easy, CURLPAUSE_CONT);
      if (rc != CURLE_OK) {
        st.out = nullptr;
        return Error::io(req_.method + " " + req_.url + ": " + curl_easy_strerror(rc));
      }
    }
    auto pumped = pump([&] { return st.out_len > 0; });
    st.out = nullptr;
    st.out_cap = 0;
    size_t n = st.out_len;
    st.out_len = 0;
    if (n > 0) return n;  // an error right after these bytes is reported by the next read
    if (!pumped.ok()) return std::move(pumped).error();
    return size_t{0};
  }

 private:
  bool success() const { return p_.st.response.status >= 200 && p_.st.response.status < 300; }
  // Drives the transfer until `ready()` or its end; the transfer's error if it failed.
  template <typename Ready>
  Result<void> pump(Ready ready) {
    while (!done_) {
      if (ready()) return core::ok();  // e.g. filled by the chunk a resume delivered
      int running = 0;
      CURLMcode mc = curl_multi_perform(h_.multi, &running);
      if (mc != CURLM_OK)
        return Error::io(req_.method + " " + req_.url + ": " + curl_multi_strerror(mc));
      int left = 0;
      while (CURLMsg* m = curl_multi_info_read(h_.multi, &left)) {
        if (m->msg == CURLMSG_DONE && m->easy_handle == h_.easy) {
          done_ = true;
          rc_ = m->data.result;
        }
      }
      if (done_) break;
      if (ready()) return core::ok();
      if (req_.cancel != nullptr && req_.cancel->load()) {
        done_ = true;
        rc_ = CURLE_ABORTED_BY_CALLBACK;
        break;
      }
      mc = curl_multi_poll(h_.multi, nullptr, 0, 1000, nullptr);
      if (mc != CURLM_OK)
        return Error::io(req_.method + " " + req_.url + ": " + curl_multi_strerror(mc));
    }
    if (!outcome_) outcome_ = conclude(h_.easy, rc_, p_, req_);
    if (!outcome_->ok()) return outcome_->error();
    return core::ok();
  }

  CurlTransport* owner_;
  Handles h_;
  HttpRequest req_;
  Prepared p_;
  bool attached_ = false;
  bool done_ = false;
  CURLcode rc_ = CURLE_OK;
  std::optional<Result<HttpResponse>> outcome_;
};

class CurlTransport final : public Transport {
 public:
  explicit CurlTransport(TransportOptions o) : options_(std::move(o)) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }
  ~CurlTransport() override {
    for (CURL* h : pool_) curl_easy_cleanup(h);
    for (auto& h : stream_pool_) {
      curl_easy_cleanup(h.easy);
      curl_multi_cleanup(h.multi);
    }
  }
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<HttpResponse> perform(const HttpRequest& req, const BodySink* sink) override {
    CURL* h = acquire();
    auto result = run(h, req, sink);
    release(h);
    return result;
  }

  Result<std::unique_ptr<BodyStream>> open(const HttpRequest& req) override {
    Handles h = acquire_stream();
    if (h.easy == nullptr || h.multi == nullptr) {
      release_stream(h);
      return Error::internal("curl handle allocation failed");
    }
    auto stream = std::make_unique<CurlBodyStream>(this, h, req);
    BW_TRY(stream->start());
    return std::unique_ptr<BodyStream>(std::move(stream));
  }

  // Sets every option of `req` on `h` (after a reset); `p` receives headers and body.
  void configure(CURL* h, const HttpRequest& req, Prepared& p) {
    curl_easy_reset(h);
    p.st.request = &req;
    for (const auto& [k, v] : req.headers)
      p.headers = curl_slist_append(p.headers, (k + ": " + v).c_str());
    p.headers = curl_slist_append(p.headers, "Expect:");  // no 100-continue round trip
    if (req.range_start) p.range = std::to_string(*req.range_start) + "-";

    curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, p.errbuf);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    // HTTP/2 when TLS negotiates it; plain-HTTP registries get HTTP/1.1 (no h2c upgrade).
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
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, p.headers);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &p.st);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &p.st);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, nullptr);  // blobs are hashed as sent
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(h, CURLOPT_BUFFERSIZE, options_.receive_buffer_bytes);
    if (!p.range.empty()) curl_easy_setopt(h, CURLOPT_RANGE, p.range.c_str());
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
  }

  void release_stream(Handles h) {
    std::lock_guard lock(mu_);
    stream_pool_.push_back(h);
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
  Handles acquire_stream() {
    {
      std::lock_guard lock(mu_);
      if (!stream_pool_.empty()) {
        Handles h = stream_pool_.back();
        stream_pool_.pop_back();
        return h;
      }
    }
    return Handles{curl_easy_init(), curl_multi_init()};
  }

  Result<HttpResponse> run(CURL* h, const HttpRequest& req, const BodySink* sink) {
    if (h == nullptr) return Error::internal("curl_easy_init failed");
    Prepared p;
    p.st.sink = sink;
    configure(h, req, p);
    CURLcode rc = curl_easy_perform(h);
    return conclude(h, rc, p, req);
  }

  TransportOptions options_;
  std::mutex mu_;
  std::vector<CURL*> pool_;
  std::vector<Handles> stream_pool_;
};

Result<void> CurlBodyStream::start() {
  p_.st.pull = true;
  owner_->configure(h_.easy, req_, p_);
  CURLMcode mc = curl_multi_add_handle(h_.multi, h_.easy);
  if (mc != CURLM_OK)
    return Error::internal(req_.method + " " + req_.url + ": " + curl_multi_strerror(mc));
  attached_ = true;
  // The head is known once a 2xx body begins (after any redirects) or the transfer ends; a
  // response that is not 2xx is read to its (bounded) end here, for the caller's message.
  return pump([&] { return p_.st.body_started; });
}

CurlBodyStream::~CurlBodyStream() {
  if (attached_) curl_multi_remove_handle(h_.multi, h_.easy);
  // Unfinished: the connection is closed by the removal; the handles go back to the pool.
  curl_easy_reset(h_.easy);
  owner_->release_stream(h_);
}

class SystemClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point now() const override {
    return std::chrono::steady_clock::now();
  }
  void sleep_for(std::chrono::milliseconds d) const override { std::this_thread::sleep_for(d); }
};

// The default Transport::open's stream: a body already in memory, then the error the transfer
// ended with, if any.
class BufferedBodyStream final : public BodyStream {
 public:
  BufferedBodyStream(HttpResponse head, std::string body, std::optional<Error> error)
      : head_(std::move(head)), body_(std::move(body)), error_(std::move(error)) {}
  const HttpResponse& head() const override { return head_; }
  Result<size_t> read(std::span<std::byte> buf) override {
    if (pos_ < body_.size()) {
      size_t n = std::min(buf.size(), body_.size() - pos_);
      std::memcpy(buf.data(), body_.data() + pos_, n);
      pos_ += n;
      return n;
    }
    if (error_) return *error_;
    return size_t{0};
  }

 private:
  HttpResponse head_;
  std::string body_;
  size_t pos_ = 0;
  std::optional<Error> error_;
};

}  // namespace

Result<std::unique_ptr<BodyStream>> Transport::open(const HttpRequest& request) {
  std::string body;
  std::optional<HttpResponse> head;
  bool too_large = false;
  BodySink sink = [&](const HttpResponse& h, std::string_view chunk) {
    if (!head) head = h;
    if (body.size() + chunk.size() > request.max_body) {
      too_large = true;
      return false;
    }
    body.append(chunk);
    return true;
  };
  auto r = perform(request, &sink);
  if (too_large)
    return Error::limit(request.method + " " + request.url +
                        ": response larger than the limit of " + std::to_string(request.max_body) +
                        " bytes");
  if (!r.ok()) {
    // Bytes that arrived before the failure are still delivered (a resume continues after them).
    if (!head) return std::move(r).error();
    return std::unique_ptr<BodyStream>(
        std::make_unique<BufferedBodyStream>(*head, std::move(body), std::move(r).error()));
  }
  return std::unique_ptr<BodyStream>(
      std::make_unique<BufferedBodyStream>(std::move(*r), std::move(body), std::nullopt));
}

std::shared_ptr<Transport> make_curl_transport(const TransportOptions& options) {
  return std::make_shared<CurlTransport>(options);
}

std::shared_ptr<Clock> system_clock() {
  static auto clock = std::make_shared<SystemClock>();
  return clock;
}

}  // namespace bulwark::registry
