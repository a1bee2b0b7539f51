// The layer stream: sniffed decompression (gzip/zstd/none) + tar entries + whiteouts.
#include <cstdint>

#include "image/stream.hpp"
#include "image/tar_entries.hpp"

namespace {
class Sink final : public bulwark::image::EntryVisitor {
 public:
  bulwark::core::Result<void> on_entry(const bulwark::image::Entry& /*e*/,
                                       bulwark::image::EntryContent& c) override {
    auto r = c.read_all(1 << 20);
    (void)r;
    return bulwark::core::ok();
  }
  void on_whiteout(const std::string& /*p*/) override {}
  void on_opaque_dir(const std::string& /*d*/) override {}
  void on_bad_entry(const std::string& /*r*/, const std::string& /*why*/) override {}
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bulwark::image;
  auto s = make_auto_decompressor(
      std::make_unique<MemoryStream>(std::string(reinterpret_cast<const char*>(data), size)),
      "fuzz");
  if (!s.ok()) return 0;
  Sink sink;
  auto r = read_tar_entries(**s, "fuzz", sink);
  (void)r;
  return 0;
}
