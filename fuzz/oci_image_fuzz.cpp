// OCI index.json, image manifest and image config: the first byte picks which document the
// rest of the input is; the other two are generated so that parsing reaches it.
#include <cstdint>

#include "fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  using bulwark::fuzz::blob_path;
  std::string doc(reinterpret_cast<const char*>(data + 1), size - 1);
  auto c = std::make_shared<bulwark::fuzz::MemoryContainer>();
  auto descriptor = [](const std::string& media_type, const std::string& blob) {
    return R"({"mediaType":")" + media_type + R"(","digest":"sha256:)" +
           bulwark::core::Sha256::hex_of(blob) + R"(","size":)" + std::to_string(blob.size()) + "}";
  };
  std::string config =
      R"({"os":"linux","architecture":"amd64","rootfs":{"type":"layers","diff_ids":[]}})";
  std::string manifest;
  switch (data[0] % 3) {
    case 0:
      c->files["index.json"] = doc;
      break;
    case 1:
      manifest = doc;
      break;
    default:
      config = doc;
      break;
  }
  if (data[0] % 3 != 1) {
    manifest =
        R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":)" +
        descriptor("application/vnd.oci.image.config.v1+json", config) + R"(,"layers":[]})";
  }
  c->files[blob_path(config)] = config;
  c->files[blob_path(manifest)] = manifest;
  if (data[0] % 3 != 0) {
    c->files["index.json"] = R"({"schemaVersion":2,"manifests":[)" +
                             descriptor("application/vnd.oci.image.manifest.v1+json", manifest) +
                             "]}";
  }
  auto img = bulwark::image::open_oci(c, "oci-layout", "fuzz", "", {});
  (void)img;
  return 0;
}
