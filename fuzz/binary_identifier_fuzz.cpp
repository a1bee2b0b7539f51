// The binary identifier over arbitrary bytes, as each rule's file name (the name selects the
// rules, and python's rule also reads its version prefix from it).
#include <cstdint>
#include <string_view>

#include "catalog/binary_identifier.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (const char* path :
       {"usr/bin/node", "usr/bin/python3.11", "usr/lib/libpython3.12.so.1.0", "opt/jdk/release",
        "bin/busybox", "usr/bin/redis-server", "usr/sbin/nginx"}) {
    bulwark::image::StringContent content(bytes);
    auto r = bulwark::catalog::identify_binary(path, content);
    (void)r;
  }
  return 0;
}
