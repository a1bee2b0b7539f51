// Response headers from a hostile registry: the WWW-Authenticate parser, and the Retry-After
// parser (delay-seconds or an HTTP-date through curl_getdate) on the same bytes.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "registry/client.hpp"
#include "registry/www_authenticate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = bulwark::registry::parse_www_authenticate(text);
  (void)r;
  // 2015-10-21 07:27:53 UTC; a wait is never negative.
  auto now = std::chrono::system_clock::from_time_t(1445412473);
  auto wait = bulwark::registry::parse_retry_after(text, now);
  if (wait && wait->count() < 0) std::abort();
  return 0;
}
