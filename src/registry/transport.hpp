// The network behind an interface (STYLE.md: the OS behind an interface) so the client's auth,
// retry and resume logic runs against any transport; CurlTransport is the real one (libcurl:
// HTTP/2 over TLS when offered, system trust store or --ca-cert, proxies from HTTPS_PROXY and
// NO_PROXY, connect and low-speed timeouts, bounded redirects). The clock is injectable too.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace bulwark::registry {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // never logged
  std::string body;                                          // request body (PUT/PATCH/POST)
  std::optional<uint64_t> range_start;                       // "Range: bytes=N-"
  // Credentials for HTTP Basic (token endpoint, Basic registries); never logged.
  std::optional<std::pair<std::string, std::string>> basic_auth;
  std::optional<std::string> bearer_token;
  bool follow_redirects = true;
  // Small responses are kept in memory up to this size; a larger body is an error.
  uint64_t max_body = 1 << 20;
  // Whole-request time limit for small requests; 0 for streaming downloads, which rely on the
  // low-speed timeout instead.
  std::chrono::milliseconds total_timeout{0};
  // Set by another thread to abandon the transfer promptly (checked while it waits too).
  const std::atomic<bool>* cancel = nullptr;
};

struct HttpResponse {
  long status = 0;
  std::multimap<std::string, std::string> headers;  // names lower-cased
  std::string body;                                 // unless streamed to a sink
  std::string effective_url;
  std::string http_version;  // "1.1", "2"

  std::string header(std::string_view name) const;  // first value, "" if absent
  std::vector<std::string> headers_named(std::string_view name) const;
};

// Receives a successful (2xx) response body as it arrives, with the response's status and
// headers so far; returning false aborts the transfer.
using BodySink = std::function<bool(const HttpResponse& head, std::string_view chunk)>;

// A response whose body the caller pulls on its own thread, as fast as it consumes it: no
// thread and no buffer between the network and the reader beyond the transport's own receive
// buffer (the kernel's socket buffer is the bounded buffer that lets the transfer run ahead).
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  // Status and headers; for a response that is not 2xx also its (bounded) body, and then
  // read() returns 0 at once.
  virtual const HttpResponse& head() const = 0;
  // Up to buf.size() bytes of a 2xx body; 0 at its end; a transfer failure (reset, timeout,
  // cancel) is an Error, after the bytes that did arrive were returned.
  virtual core::Result<size_t> read(std::span<std::byte> buf) = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // A transfer-level failure (DNS, connect, TLS, timeout, reset) is an Error; any HTTP status
  // is a response. With a sink, a 2xx body goes to the sink and other bodies (bounded) to
  // response.body.
  virtual core::Result<HttpResponse> perform(const HttpRequest& request, const BodySink* sink) = 0;
  // Starts `request` and returns once the response head is known. This default runs perform()
  // to the end and keeps the body in memory (bounded by request.max_body), so it is only for
  // transports that never carry big bodies; the libcurl transport streams instead.
  virtual core::Result<std::unique_ptr<BodyStream>> open(const HttpRequest& request);
};

struct TransportOptions {
  std::string ca_cert;  // PEM bundle added to... (replaces) the system store when set
  std::chrono::milliseconds connect_timeout{15000};
  // A transfer slower than low_speed_bytes per second for low_speed_time fails (slowloris).
  std::chrono::milliseconds low_speed_time{30000};
  long low_speed_bytes = 1024;
  long max_redirects = 8;
  // libcurl's receive buffer (CURLOPT_BUFFERSIZE), the most one recv() takes. Chunks land in
  // the caller's buffer (a 1 MiB block for layer downloads) directly; one that does not fit is
  // kept by libcurl (the transfer is paused) until the next read. 32-256 KiB measured alike
  // within noise (bench/RESULTS.md).
  long receive_buffer_bytes = 64 * 1024;
};

std::shared_ptr<Transport> make_curl_transport(const TransportOptions& options);

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::steady_clock::time_point now() const = 0;
  // Calendar time, for absolute times the server sends (Retry-After as an HTTP-date).
  virtual std::chrono::system_clock::time_point wall_now() const {
    return std::chrono::system_clock::now();
  }
  virtual void sleep_for(std::chrono::milliseconds d) const = 0;
};
std::shared_ptr<Clock> system_clock();

}  // namespace bulwark::registry
