// Layer cache files: a corrupt or hostile cache file must decode to an error, never a crash.
#include <cstdint>

#include "image/layer_cache.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = bulwark::image::decode_layer_result(
      std::string_view(reinterpret_cast<const char*>(data), size));
  (void)r;
  return 0;
}
