// docker-archive manifest.json (the config and layers it names exist as small members).
#include <cstdint>

#include "fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto c = std::make_shared<bulwark::fuzz::MemoryContainer>();
  c->files["manifest.json"] = std::string(reinterpret_cast<const char*>(data), size);
  c->files["config.json"] =
      R"({"os":"linux","architecture":"amd64","rootfs":{"type":"layers","diff_ids":[]}})";
  c->files["layer.tar"] = std::string(1024, '\0');
  auto img = bulwark::image::open_docker_archive(c, "fuzz.tar", "");
  (void)img;
  return 0;
}
