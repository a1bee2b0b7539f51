// Image-wide analysis cache files: a corrupt or hostile file must decode to an error, never a
// crash.
#include <cstdint>

#include "cli/analysis_cache.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r =
      bulwark::cli::decode_analysis(std::string_view(reinterpret_cast<const char*>(data), size));
  (void)r;
  return 0;
}
