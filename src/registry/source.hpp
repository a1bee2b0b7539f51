// Registry references as an image source: the manifest (and index) come from the registry,
// platform selection, config and layer parsing are image::open_oci's (the same code as for
// local layouts, over a Container whose files are registry requests), and layer blobs are
// downloaded ahead of the layer reader, 1 MiB blocks at a time, bounded: no temp files.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "image/image.hpp"
#include "registry/client.hpp"
#include "registry/reference.hpp"

namespace bulwark::registry {

// Clients per registry host, shared by every image opened in the process.
class ClientPool {
 public:
  explicit ClientPool(ClientOptions options) : options_(std::move(options)) {}
  std::shared_ptr<Client> get(const std::string& registry);

 private:
  ClientOptions options_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Client>> clients_;
};

core::Result<image::Image> open_registry_image(std::string_view reference,
                                               const image::OpenOptions& options, ClientPool& pool);

// What `bulwark inspect` shows.
struct Inspection {
  Reference reference;
  core::Digest digest;     // of the manifest or index the reference names
  std::string media_type;  // of that document
  Manifest top;            // that document, parsed
  std::string raw;         // that document, byte for byte as served
  image::Image image;      // the platform's image (manifest, config, layers)
};
core::Result<Inspection> inspect_reference(std::string_view reference,
                                           const image::OpenOptions& options, ClientPool& pool);

// Makes image::open_image accept registry references through `pool` (kept alive here).
void install_image_source(std::shared_ptr<ClientPool> pool);

}  // namespace bulwark::registry
