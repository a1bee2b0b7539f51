// Manifests and indexes as a registry serves them (OCI image-spec manifest.md / image-index.md,
// Docker image manifest v2 schema 2 and manifest list). Docker schema 1 is recognised and
// rejected as unsupported. Used by `inspect`, the referrers API and push; scanning goes
// through image::open_oci so platform selection is the same code as for local layouts.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/digest.hpp"
#include "core/result.hpp"
#include "image/image.hpp"

namespace bulwark::registry {

inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kDockerList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerSchema1 =
    "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr std::string_view kDockerSchema1Signed =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";
// Accept header for manifest requests: every type we can read, best first.
inline constexpr std::string_view kManifestAccept =
    "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.docker.distribution.manifest.v2+json;q=0.9, "
    "application/vnd.docker.distribution.manifest.v1+prettyjws;q=0.1";

struct Descriptor {
  std::string media_type;
  core::Digest digest;
  int64_t size = 0;
  std::optional<image::Platform> platform;
  std::string artifact_type;
  std::map<std::string, std::string> annotations;
};

struct Manifest {
  bool is_index = false;
  std::string media_type;     // from the document, else from Content-Type
  std::string artifact_type;  // OCI 1.1
  std::optional<Descriptor> config;
  std::vector<Descriptor> layers;     // image manifest
  std::vector<Descriptor> manifests;  // index
  std::optional<Descriptor> subject;  // OCI 1.1
  std::map<std::string, std::string> annotations;
};

// `content_type` is the Content-Type the registry sent (may be empty). `where` names the
// document in errors ("registry 127.0.0.1:5000: team/app:1.0").
core::Result<Manifest> parse_manifest(std::string_view body, std::string_view content_type,
                                      std::string_view where);

bool is_index_media_type(std::string_view mt);
bool is_manifest_media_type(std::string_view mt);
bool is_schema1_media_type(std::string_view mt);

}  // namespace bulwark::registry
