// libFuzzer target: a Berkeley DB hash "Packages" file, every stored header parsed as well.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/rpm_db_bdb.hpp"
#include "catalog/rpm_header.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view db(reinterpret_cast<const char*>(data), size);
  (void)bulwark::catalog::read_rpm_bdb(
      db, [](uint32_t, std::string_view blob) -> bulwark::core::Result<void> {
        (void)bulwark::catalog::parse_rpm_header(blob);
        return bulwark::core::ok();
      });
  return 0;
}
