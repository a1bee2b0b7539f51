// `docker save` output. Classic (Docker < 25): manifest.json, <config>.json, <id>/layer.tar
// (uncompressed). Containerd image store (Docker >= 25): an OCI layout in the tar whose
// manifest.json points at blobs/sha256/<hex> (often gzip). Both carry manifest.json, which is
// what we read; blob digests come from blob paths when they are content addresses.

#include "core/json.hpp"
#include "core/limits.hpp"
#include "core/path.hpp"
#include "image/container.hpp"

namespace bulwark::image {

using core::Error;
using core::Result;

namespace {

// "blobs/sha256/<hex>" or "<hex>.json" (classic config) name their content's digest.
std::optional<core::Digest> digest_from_path(std::string_view path) {
  auto base = core::base_name(path);
  auto parent = core::parent_path(path);
  if (core::base_name(parent) == "sha256" && base.size() == 64 && core::is_lower_hex(base)) {
    return core::Digest{std::string(base)};
  }
  if (base.size() == 69 && base.substr(64) == ".json" && core::is_lower_hex(base.substr(0, 64))) {
    return core::Digest{std::string(base.substr(0, 64))};
  }
  return std::nullopt;
}

}  // namespace

Result<Image> open_docker_archive(std::shared_ptr<const Container> c, std::string path,
                                  std::string ref) {
  BW_ASSIGN_OR_RETURN(auto text, c->read("manifest.json", core::limits().max_metadata_bytes));
  BW_ASSIGN_OR_RETURN(auto doc, core::parse_json(text, c->describe("manifest.json")));
  std::string where = c->describe("manifest.json");
  if (!doc.is_array() || doc.empty()) return Error::invalid(where + ": expected a non-empty array");

  const nlohmann::json* chosen = nullptr;
  for (const auto& m : doc) {
    if (!m.is_object()) return Error::invalid(where + ": entry is not an object");
    if (ref.empty()) {
      chosen = &m;
      break;
    }
    if (auto tags = m.find("RepoTags"); tags != m.end() && tags->is_array()) {
      for (const auto& t : *tags) {
        if (t.is_string() &&
            (t.get<std::string>() == ref || t.get<std::string>() == "docker.io/library/" + ref)) {
          chosen = &m;
        }
      }
    }
    if (chosen != nullptr) break;
  }
  if (chosen == nullptr) return Error::not_found(where + ": no image tagged '" + ref + "'");
  if (ref.empty() && doc.size() > 1) {
    return Error::invalid(where + ": holds " + std::to_string(doc.size()) +
                          " images; name one as docker-archive:PATH:REPO:TAG");
  }

  Image img;
  img.source = "docker-archive";
  img.path = std::move(path);
  img.reference = ref;
  if (img.reference.empty()) {
    if (auto tags = chosen->find("RepoTags");
        tags != chosen->end() && tags->is_array() && !tags->empty() && tags->front().is_string()) {
      img.reference = tags->front().get<std::string>();
    }
  }
  auto store = std::make_shared<ContainerBlobStore>(c);
  img.store = store;

  auto config_path = core::json_string(*chosen, "Config");
  auto config_norm = core::normalize_image_path(config_path);
  if (config_path.empty() || !config_norm)
    return Error::invalid(where + ": missing or unsafe 'Config' path");
  BlobRef config_blob{*config_norm, digest_from_path(*config_norm), -1};
  BW_ASSIGN_OR_RETURN(auto config_text,
                      store->read_verified(config_blob, core::limits().max_metadata_bytes));
  BW_ASSIGN_OR_RETURN(img.config, core::parse_json(config_text, c->describe(*config_norm)));
  img.config_digest = core::Digest::of(config_text);
  img.platform =
      Platform{core::json_string(img.config, "os"), core::json_string(img.config, "architecture"),
               core::json_string(img.config, "variant")};

  auto layers = chosen->find("Layers");
  if (layers == chosen->end() || !layers->is_array())
    return Error::invalid(where + ": no 'Layers' array");
  if (layers->size() > core::limits().max_layers)
    return Error::limit(where + ": more layers than the limit");
  BW_ASSIGN_OR_RETURN(auto diff_ids, config_diff_ids(img.config));
  if (diff_ids.size() != layers->size()) {
    return Error::invalid(where + ": " + std::to_string(layers->size()) +
                          " layers but the config lists " + std::to_string(diff_ids.size()) +
                          " diff_ids");
  }
  // Sizes and media types, when the archive is also an OCI layout (containerd style).
  std::map<std::string, std::pair<int64_t, std::string>> described;
  if (c->exists("index.json")) {
    OpenOptions none;
    auto oci = open_oci(c, "docker-archive", img.path, "", none);
    if (oci.ok() && oci->config_digest == img.config_digest) {
      for (const auto& l : oci->layers) described[l.blob.location] = {l.blob.size, l.media_type};
      img.manifest_digest = oci->manifest_digest;
    }
  }
  for (size_t i = 0; i < layers->size(); ++i) {
    const auto& l = (*layers)[i];
    auto lp = core::normalize_image_path(l.is_string() ? l.get<std::string>() : "");
    if (!lp || lp->empty()) return Error::invalid(where + ": unsafe or empty layer path");
    if (!c->exists(*lp))
      return Error::not_found(where + ": layer " + *lp + " is missing from the archive");
    LayerRef ref_out;
    ref_out.index = static_cast<int>(i);
    ref_out.blob = BlobRef{*lp, digest_from_path(*lp), -1};
    ref_out.diff_id = diff_ids[i];
    if (auto it = described.find(*lp); it != described.end()) {
      ref_out.blob.size = it->second.first;
      ref_out.media_type = it->second.second;
    } else {
      ref_out.media_type = "application/vnd.docker.image.rootfs.diff.tar";
    }
    img.layers.push_back(std::move(ref_out));
  }
  attach_created_by(img);
  return img;
}

}  // namespace bulwark::image
