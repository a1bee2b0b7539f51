#include "registry/source.hpp"

#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>

#include "core/json.hpp"
#include "core/limits.hpp"
#include "core/log.hpp"
#include "image/container.hpp"

namespace bulwark::registry {

using core::Error;
using core::Result;

namespace {

constexpr size_t kBlockBytes = 1 << 20;  // hand-off unit between download and reader
constexpr size_t kBlocks = 8;            // at most 8 MiB ahead of the reader per layer

// A layer blob downloaded on its own thread, ahead of the layer reader: the thread pulls the
// body (BlobReader: libcurl copies straight into a 1 MiB block) and hands full blocks over, so
// the reader and its thread meet once per MiB instead of once per network chunk; decompression
// overlaps the transfer, and memory stays bounded (kBlocks) whatever the blob's size.
class BlobPrefetchStream final : public image::ByteStream {
 public:
  BlobPrefetchStream(std::shared_ptr<Client> client, std::string repo, core::Digest digest,
                     int64_t size)
      : client_(std::move(client)) {
    for (size_t i = 0; i < kBlocks; ++i) free_.push_back(i);
    blocks_.resize(kBlocks);
    worker_ = std::thread([this, repo = std::move(repo), digest = std::move(digest), size] {
      auto reader = client_->open_blob(repo, digest, size, &cancel_flag_);
      while (true) {
        size_t idx = 0;
        {
          std::unique_lock lock(mu_);
          writer_waiting_ = true;
          space_.wait(lock, [&] { return cancelled_ || !free_.empty(); });
          writer_waiting_ = false;
          if (cancelled_) return;
          idx = free_.back();
          free_.pop_back();
        }
        auto& block = blocks_[idx];
        if (block.size() != kBlockBytes) block.resize(kBlockBytes);
        size_t filled = 0;
        std::optional<Error> error;
        bool eof = false;
        while (filled < kBlockBytes) {
          auto n = reader->read(std::span<std::byte>(block).subspan(filled));
          if (!n.ok()) {
            error = std::move(n).error();
            break;
          }
          if (*n == 0) {
            eof = true;
            break;
          }
          filled += *n;
        }
        std::lock_guard lock(mu_);
        if (filled > 0) {
          filled_.emplace_back(idx, filled);
        } else {
          free_.push_back(idx);
        }
        if (error && !cancelled_) error_ = std::move(error);
        if (error || eof) done_ = true;
        if (reader_waiting_) data_.notify_one();
        if (done_) return;
      }
    });
  }
  ~BlobPrefetchStream() override {
    {
      std::lock_guard lock(mu_);
      cancelled_ = true;
    }
    cancel_flag_ = true;  // also abandons a transfer waiting on the network
    space_.notify_all();
    if (worker_.joinable()) worker_.join();
  }
  BlobPrefetchStream(const BlobPrefetchStream&) = delete;
  BlobPrefetchStream& operator=(const BlobPrefetchStream&) = delete;

  Result<size_t> read(std::span<std::byte> buf) override {
    if (current_ == kNone) {
      std::unique_lock lock(mu_);
      reader_waiting_ = true;
      data_.wait(lock, [&] { return !filled_.empty() || done_; });
      reader_waiting_ = false;
      if (filled_.empty()) {
        if (error_) return *error_;
        return size_t{0};
      }
      std::tie(current_, current_len_) = filled_.front();
      filled_.pop_front();
      offset_ = 0;
    }
    // The block is the reader's alone until it is handed back: copied without the lock.
    size_t n = std::min(buf.size(), current_len_ - offset_);
    std::memcpy(buf.data(), blocks_[current_].data() + offset_, n);
    offset_ += n;
    if (offset_ == current_len_) {
      std::lock_guard lock(mu_);
      free_.push_back(current_);
      current_ = kNone;
      if (writer_waiting_) space_.notify_one();
    }
    return n;
  }

 private:
  static constexpr size_t kNone = static_cast<size_t>(-1);
  std::shared_ptr<Client> client_;
  std::vector<std::vector<std::byte>> blocks_;
  std::mutex mu_;
  std::condition_variable data_, space_;
  std::vector<size_t> free_;                      // blocks the download may fill
  std::deque<std::pair<size_t, size_t>> filled_;  // (block, bytes) for the reader
  size_t current_ = kNone;                        // the block the reader is copying from
  size_t current_len_ = 0;
  size_t offset_ = 0;
  bool reader_waiting_ = false;
  bool writer_waiting_ = false;
  bool done_ = false;
  bool cancelled_ = false;
  std::optional<Error> error_;
  std::atomic<bool> cancel_flag_{false};
  std::thread worker_;
};

class RegistryBlobStore final : public image::BlobStore {
 public:
  RegistryBlobStore(std::shared_ptr<Client> client, std::string repo)
      : client_(std::move(client)), repo_(std::move(repo)) {}
  Result<std::unique_ptr<image::ByteStream>> open(const image::BlobRef& blob) const override {
    if (!blob.digest) return Error::invalid("registry blob without a digest");
    return std::unique_ptr<image::ByteStream>(
        std::make_unique<BlobPrefetchStream>(client_, repo_, *blob.digest, blob.size));
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
