#include "registry/source.hpp"

#include <atomic>
#include <mutex>
#include <set>

#include "core/json.hpp"
#include "core/limits.hpp"
#include "core/log.hpp"
#include "image/container.hpp"

namespace bulwark::registry {

using core::Error;
using core::Result;

namespace {

// A layer blob pulled on the thread that reads it (Client::open_blob): libcurl's write callback
// copies the body straight into the caller's buffer, which in the layer reader is a chunk of the
// stored-stage PipelinedStream's ring, so that stage's thread downloads and hashes while the
// decompressor takes the chunk without a copy. Interrupted transfers resume with Range and a
// body longer than the descriptor says is an error (BlobReader). cancel() (from the
// PipelinedStream's destructor, on another thread) makes a read waiting on the network give up.
class RegistryBlobStream final : public image::ByteStream {
 public:
  RegistryBlobStream(std::shared_ptr<Client> client, const std::string& repo,
                     const core::Digest& digest, int64_t size)
      : client_(std::move(client)), reader_(client_->open_blob(repo, digest, size, &cancel_)) {}
  Result<size_t> read(std::span<std::byte> buf) override { return reader_->read(buf); }
  void cancel() override { cancel_ = true; }

 private:
  std::shared_ptr<Client> client_;
  std::atomic<bool> cancel_{false};  // before reader_, which points at it
  std::unique_ptr<BlobReader> reader_;
};

class RegistryBlobStore final : public image::BlobStore {
 public:
  RegistryBlobStore(std::shared_ptr<Client> client, std::string repo)
      : client_(std::move(client)), repo_(std::move(repo)) {}
  Result<std::unique_ptr<image::ByteStream>> open(const image::BlobRef& blob) const override {
    if (!blob.digest) return Error::invalid("registry blob without a digest");
    return std::unique_ptr<image::ByteStream>(
        std::make_unique<RegistryBlobStream>(client_, repo_, *blob.digest, blob.size));
  }
  std::optional<image::FileIdentity> identity(const image::BlobRef& /*blob*/) const override {
    return std::nullopt;
  }
  bool content_addressed() const override { return true; }

 private:
  std::shared_ptr<Client> client_;
  std::string repo_;
};

// The registry seen as an OCI layout so image::open_oci can read it: "index.json" is a
// one-entry index naming the manifest the reference resolved to, "blobs/sha256/<hex>" is that
// manifest, a child manifest of an index (fetched from /manifests/), or a blob.
class RegistryContainer final : public image::Container {
 public:
  RegistryContainer(std::shared_ptr<Client> client, Reference ref, FetchedManifest top)
      : client_(std::move(client)), ref_(std::move(ref)), top_(std::move(top)) {
    learn_children(top_.body);
    nlohmann::json index = {{"schemaVersion", 2},
                            {"manifests",
                             {{{"mediaType", top_.media_type},
                               {"digest", top_.digest.str()},
                               {"size", top_.body.size()}}}}};
    index_ = index.dump();
  }
  bool exists(const std::string& path) const override {
    return path == "index.json" || path.starts_with("blobs/sha256/");
  }
  Result<std::unique_ptr<image::ByteStream>> open(const std::string& path) const override {
    auto memory = [](std::string s) {
      return std::unique_ptr<image::ByteStream>(
          std::make_unique<image::MemoryStream>(std::move(s)));
    };
    if (path == "index.json") return memory(index_);
    if (!path.starts_with("blobs/sha256/")) return Error::not_found(describe(path));
    BW_ASSIGN_OR_RETURN(auto digest, core::Digest::parse("sha256:" + path.substr(13)));
    if (digest == top_.digest) return memory(top_.body);
    bool is_manifest = false;
    {
      std::lock_guard lock(mu_);
      is_manifest = children_.count(digest) != 0;
    }
    if (is_manifest) {
      BW_ASSIGN_OR_RETURN(auto m, client_->get_manifest(ref_.repository, digest.str()));
      learn_children(m.body);
      return memory(std::move(m.body));
    }
    int64_t size = -1;
    {
      std::lock_guard lock(mu_);
      if (auto it = sizes_.find(digest); it != sizes_.end()) size = it->second;
    }
    BW_ASSIGN_OR_RETURN(auto blob, client_->get_blob(ref_.repository, digest,
                                                     core::limits().max_metadata_bytes, size));
    return memory(std::move(blob));
  }
  std::optional<image::FileIdentity> identity(const std::string& /*path*/) const override {
    return std::nullopt;
  }
  std::string describe(const std::string& path) const override {
    if (path == "index.json") return "registry " + ref_.registry + ": " + ref_.str();
    return "registry " + ref_.registry + ": " + ref_.repository +
           "@sha256:" + (path.size() > 13 ? path.substr(13) : path);
  }

 private:
  // Remembers which digests an index names (manifests, fetched from /manifests/) and the
  // sizes a manifest declares for its config, so a blob longer than declared stops early.
  void learn_children(const std::string& body) const {
    auto doc = core::parse_json(body, "manifest");
    if (!doc.ok() || !doc->is_object()) return;
    std::lock_guard lock(mu_);
    if (auto m = doc->find("manifests"); m != doc->end() && m->is_array()) {
      for (const auto& d : *m) {
        auto digest = core::Digest::parse(core::json_string(d, "digest"));
        if (digest.ok()) children_.insert(*digest);
      }
    }
    if (auto c = doc->find("config"); c != doc->end() && c->is_object()) {
      auto digest = core::Digest::parse(core::json_string(*c, "digest"));
      if (digest.ok()) sizes_[*digest] = core::json_int(*c, "size", -1);
    }
  }

  std::shared_ptr<Client> client_;
  Reference ref_;
  FetchedManifest top_;
  std::string index_;
  mutable std::mutex mu_;
  mutable std::set<core::Digest> children_;
  mutable std::map<core::Digest, int64_t> sizes_;
};

Result<std::pair<Reference, FetchedManifest>> resolve(std::string_view text, ClientPool& pool,
                                                      std::shared_ptr<Client>* client_out) {
  BW_ASSIGN_OR_RETURN(auto ref, parse_reference(text));
  auto client = pool.get(ref.registry);
  BW_ASSIGN_OR_RETURN(auto top, client->get_manifest(ref.repository, ref.manifest_ref()));
  if (ref.digest && top.digest != *ref.digest) {
    return Error::digest_mismatch("registry " + ref.registry + ": " + ref.str() +
                                  ": manifest hashes to " + top.digest.str());
  }
  *client_out = client;
  return std::make_pair(std::move(ref), std::move(top));
}

Result<image::Image> open_resolved(std::shared_ptr<Client> client, const Reference& ref,
                                   const FetchedManifest& top, const image::OpenOptions& options) {
  std::string where = "registry " + ref.registry + ": " + ref.str();
  // Schema 1 and garbage are reported here, naming the registry, before open_oci sees them.
  BW_ASSIGN_OR_RETURN(auto parsed, parse_manifest(top.body, top.media_type, where));
  FetchedManifest described = top;
  described.media_type = parsed.media_type;
  auto container = std::make_shared<RegistryContainer>(client, ref, std::move(described));
  BW_ASSIGN_OR_RETURN(auto img, image::open_oci(container, "registry", ref.str(), "", options));
  img.source = "registry";
  img.path = ref.str();
  img.reference = ref.str();
  img.store = std::make_shared<RegistryBlobStore>(client, ref.repository);
  return img;
}

}  // namespace

std::shared_ptr<Client> ClientPool::get(const std::string& registry) {
  std::lock_guard lock(mu_);
  auto& c = clients_[registry];
  if (!c) c = std::make_shared<Client>(registry, options_);
  return c;
}

Result<image::Image> open_registry_image(std::string_view reference,
                                         const image::OpenOptions& options, ClientPool& pool) {
  std::shared_ptr<Client> client;
  BW_ASSIGN_OR_RETURN(auto resolved, resolve(reference, pool, &client));
  return open_resolved(client, resolved.first, resolved.second, options);
}

Result<Inspection> inspect_reference(std::string_view reference, const image::OpenOptions& options,
                                     ClientPool& pool) {
  std::shared_ptr<Client> client;
  BW_ASSIGN_OR_RETURN(auto resolved, resolve(reference, pool, &client));
  auto& [ref, top] = resolved;
  Inspection out;
  out.reference = ref;
  out.digest = top.digest;
  BW_ASSIGN_OR_RETURN(out.top, parse_manifest(top.body, top.media_type,
                                              "registry " + ref.registry + ": " + ref.str()));
  out.media_type = out.top.media_type;
  out.raw = top.body;
  BW_ASSIGN_OR_RETURN(out.image, open_resolved(client, ref, top, options));
  return out;
}

void install_image_source(std::shared_ptr<ClientPool> pool) {
  image::RemoteSource source;
  source.recognises = [](std::string_view t) { return looks_like_registry_reference(t); };
  source.open = [pool](std::string_view t, const image::OpenOptions& o) {
    return open_registry_image(t, o, *pool);
  };
  image::set_remote_source(std::move(source));
}

}  // namespace bulwark::registry
