// zstd decoded in place in PipelinedStream's ring against the same bytes decoded by the
// streaming API alone: both must fail, or both give the same bytes.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "image/stream.hpp"

namespace {
constexpr uint64_t kLimit = 64ULL << 20;

bulwark::core::Result<std::string> decode(const std::string& stored, bool ring) {
  using namespace bulwark::image;
  auto dec = make_decompressor(Compression::kZstd, std::make_unique<MemoryStream>(stored), "fuzz");
  if (!ring) return read_all(*dec, kLimit, "fuzz");
  // A ring of 1 MiB: frames with windows up to ~768 KiB decode in place, larger ones stream.
  PipelinedStream piped(*dec, 128 << 10, 8);
  return read_all(piped, kLimit, "fuzz");
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string stored(reinterpret_cast<const char*>(data), size);
  auto in_place = decode(stored, true);
  auto streaming = decode(stored, false);
  if (in_place.ok() != streaming.ok()) std::abort();
  if (in_place.ok() && *in_place != *streaming) std::abort();
  return 0;
}
