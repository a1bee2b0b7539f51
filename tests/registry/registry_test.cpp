// The registry client against Debian's docker-registry on loopback: plain HTTP, TLS with a
// test CA and htpasswd Basic auth, and token auth through a test token service. Images are
// pushed with skopeo (the reference client) from layouts the tests build and from the corpus;
// scanning by reference must give the same packages as scanning the layout.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <fstream>
#include <random>
#include <thread>

#include "cli/scan_pipeline.hpp"
#include "core/json.hpp"
#include "image/stream.hpp"
#include "registry/registry_fixture.hpp"
#include "registry/source.hpp"
#include "support/image_builder.hpp"

namespace bulwark::registry {
namespace {

using testing::ImageBuilder;
using testing::TarEntry;
using testing::TempDir;

std::string scripts() {
  return std::string(BULWARK_SOURCE_DIR) + "/tests/registry/";
}

std::vector<std::string> package_lines(const report::Report& r) {
  std::vector<std::string> out;
  for (const auto& p : r.packages) {
    std::string line = p.ecosystem + " " + p.name + " " + p.version + " " + p.purl;
    for (const auto& l : p.locations)
      line += " " + l.path + "@" + std::to_string(l.layer_index) + ":" + l.layer_digest;
    out.push_back(line);
  }
  return out;
}

core::Result<report::Report> scan(const std::string& target, const ClientOptions& o,
                                  const std::string& cache = "",
                                  std::optional<image::Platform> platform = std::nullopt) {
  install_image_source(std::make_shared<ClientPool>(o));
  cli::ScanOptions so;
  so.target = target;
  so.use_cache = !cache.empty();
  so.cache_dir = cache;
  so.platform = platform;
  return cli::run_scan(so);
}

std::string dpkg_status(const std::string& name, const std::string& version) {
  return "Package: " + name +
         "\nStatus: install ok installed\nArchitecture: amd64\nVersion: " + version +
         "\nMaintainer: t <t@example.com>\nDescription: test\n\n";
}

ImageBuilder debian_like(const std::string& pkg, const std::string& arch = "amd64") {
  ImageBuilder b;
  b.architecture(arch);
  b.layer({TarEntry::dir("etc"),
           TarEntry::file(
               "etc/os-release",
               "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"),
           TarEntry::dir("var"), TarEntry::dir("var/lib"), TarEntry::dir("var/lib/dpkg"),
           TarEntry::file("var/lib/dpkg/status", dpkg_status(pkg, "1.2-3"))});
  // Incompressible, so the stored layer is large enough to be cut mid-transfer.
  std::mt19937 rng(static_cast<unsigned>(std::hash<std::string>{}(pkg)));
  std::string noise(300000, '\0');
  for (auto& ch : noise) ch = static_cast<char>(rng());
  b.layer({TarEntry::file("opt/big.bin", noise)});
  return b;
}

class PlainRegistry : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!testing::have_command("docker-registry") || !testing::have_command("skopeo")) return;
    dir_ = new TempDir();
    registry_ = new testing::TestRegistry();
    if (!registry_->start(dir_->str(), {})) {
      delete registry_;
      registry_ = nullptr;
    }
  }
  static void TearDownTestSuite() {
    delete registry_;
    registry_ = nullptr;
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    BW_REQUIRE_COMMAND("docker-registry");
    BW_REQUIRE_COMMAND("skopeo");
    if (registry_ == nullptr) BW_SKIP_OR_FAIL("docker-registry did not start");
  }
  static ClientOptions options(const std::string& host) {
    ClientOptions o;
    o.insecure_hosts = {host};
    o.initial_backoff = std::chrono::milliseconds(50);
    o.credentials.use_environment = false;
    o.credentials.docker_config_path = "/nonexistent";
    return o;
  }
  // Pushes a built image as repo:tag; returns its reference.
  std::string push(const ImageBuilder& b, const std::string& repo, const TempDir& tmp) {
    std::string layout = tmp.str() + "/" + repo + ".oci";
    b.write_oci_layout(layout, "1.0");
    EXPECT_TRUE(testing::skopeo_copy("oci:" + layout + ":1.0", host() + "/" + repo + ":1.0"));
    return host() + "/" + repo + ":1.0";
  }
  static std::string host() { return registry_->host(); }

  static TempDir* dir_;
  static testing::TestRegistry* registry_;
};
TempDir* PlainRegistry::dir_ = nullptr;
testing::TestRegistry* PlainRegistry::registry_ = nullptr;

TEST_F(PlainRegistry, ScanByReferenceEqualsScanOfTheLayout) {
  TempDir tmp;
  auto b = debian_like("hello");
  std::string ref = push(b, "built/hello", tmp);
  auto remote = scan(ref, options(host()));
  ASSERT_TRUE(remote.ok()) << remote.error().message();
  auto local = scan("oci:" + tmp.str() + "/built/hello.oci:1.0", options(host()));
  ASSERT_TRUE(local.ok()) << local.error().message();
  EXPECT_EQ(remote->target.source, "registry");
  EXPECT_EQ(remote->target.manifest_digest, local->target.manifest_digest);
  ASSERT_EQ(package_lines(*remote).size(), 1U);
  EXPECT_EQ(package_lines(*remote), package_lines(*local));
  // The "registry:" prefix names the same image.
  auto prefixed = scan("registry:" + ref, options(host()));
  ASSERT_TRUE(prefixed.ok()) << prefixed.error().message();
  EXPECT_EQ(package_lines(*prefixed), package_lines(*local));
}

TEST_F(PlainRegistry, CorpusImagesScanAsTheirLayouts) {
  std::filesystem::path corpus = "/var/tmp/bulwark-corpus-all";
  if (!std::filesystem::exists(corpus / "MANIFEST.txt")) {
    std::string why;
    auto c = testing::corpus_dir(&why);
    if (!c) BW_SKIP_OR_FAIL(why);
    corpus = *c;
  }
  for (const char* name : {"debian-app", "python-site", "rpm-db"}) {
    SCOPED_TRACE(name);
    std::string layout = (corpus / (std::string(name) + ".oci")).string();
    if (!std::filesystem::exists(layout)) continue;
    std::string ref = host() + "/corpus/" + name + ":1";
    ASSERT_TRUE(testing::skopeo_copy("oci:" + layout, ref));
    auto remote = scan(ref, options(host()));
    ASSERT_TRUE(remote.ok()) << remote.error().message();
    auto local = scan("oci:" + layout, options(host()));
    ASSERT_TRUE(local.ok()) << local.error().message();
    if (std::string(name) == "debian-app") {
      EXPECT_GT(remote->packages.size(), 100U);
    }
    EXPECT_EQ(package_lines(*remote), package_lines(*local));
    EXPECT_EQ(remote->os.pretty_name, local->os.pretty_name);
  }
}

TEST_F(PlainRegistry, WarmRescanDownloadsNoLayerBlob) {
  TempDir tmp;
  std::string ref = push(debian_like("warm"), "warm/app", tmp);
  std::string cache = tmp.str() + "/cache";
  // The registry writes its access log asynchronously: wait until the count reaches what is
  // expected (or a few seconds pass), then a little longer so a late extra line shows up too.
  auto settled_gets = [&](int at_least) {
    for (int i = 0; i < 60 && registry_->blob_gets("warm/app") < at_least; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    return registry_->blob_gets("warm/app");
  };
  int before = settled_gets(0);
  auto cold = scan(ref, options(host()), cache);
  ASSERT_TRUE(cold.ok()) << cold.error().message();
  int after_cold = settled_gets(before + 3);
  EXPECT_EQ(after_cold - before, 3);  // config + 2 layers
  auto warm = scan(ref, options(host()), cache);
  ASSERT_TRUE(warm.ok()) << warm.error().message();
  EXPECT_EQ(settled_gets(after_cold + 1) - after_cold, 1);  // the config only
  EXPECT_EQ(package_lines(*warm), package_lines(*cold));
}

TEST_F(PlainRegistry, MultiPlatformIndexPicksThePlatformAsForLayouts) {
  TempDir tmp;
  auto amd = debian_like("only-on-amd64", "amd64");
  auto arm = debian_like("only-on-arm64", "arm64");
  std::string layout = tmp.str() + "/multi.oci";
  ImageBuilder::write_oci_index(layout, {&amd, &arm}, "1.0");
  std::string ref = host() + "/multi/app:1.0";
  ASSERT_TRUE(testing::skopeo_copy("oci:" + layout + ":1.0", ref, "", true));
  ClientPool pool(options(host()));
  image::OpenOptions o;
  o.platform = image::Platform{"linux", "arm64", ""};
  auto img = open_registry_image(ref, o, pool);
  ASSERT_TRUE(img.ok()) << img.error().message();
  EXPECT_EQ(img->platform.str(), "linux/arm64");
  EXPECT_EQ(img->available_platforms.size(), 2U);
  auto r = scan(ref, options(host()), "", image::Platform{"linux", "arm64", ""});
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->packages.size(), 1U);
  EXPECT_EQ(r->packages[0].name, "only-on-arm64");
  auto local =
      scan("oci:" + layout + ":1.0", options(host()), "", image::Platform{"linux", "arm64", ""});
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(package_lines(*r), package_lines(*local));
  o.platform = image::Platform{"linux", "s390x", ""};
  auto none = open_registry_image(ref, o, pool);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message().find("no manifest for platform linux/s390x"), std::string::npos);
}

TEST_F(PlainRegistry, DigestPinnedReferenceIsVerified) {
  TempDir tmp;
  std::string ref = push(debian_like("pinned"), "pinned/app", tmp);
  ClientPool pool(options(host()));
  auto img = open_registry_image(ref, {}, pool);
  ASSERT_TRUE(img.ok()) << img.error().message();
  std::string pinned = host() + "/pinned/app@" + img->manifest_digest->str();
  auto good = open_registry_image(pinned, {}, pool);
  ASSERT_TRUE(good.ok()) << good.error().message();
  EXPECT_EQ(good->manifest_digest, img->manifest_digest);
  std::string wrong = host() + "/pinned/app@sha256:" + std::string(64, '0');
  auto bad = open_registry_image(wrong, {}, pool);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("registry " + host()), std::string::npos);
  // Tag and digest together: the digest wins and is checked.
  auto both =
      open_registry_image(host() + "/pinned/app:1.0@sha256:" + std::string(64, '1'), {}, pool);
  EXPECT_FALSE(both.ok());
}

TEST_F(PlainRegistry, InspectPrintsManifestPlatformsLayersAndSizes) {
  TempDir tmp;
  auto b = debian_like("inspected");
  std::string ref = push(b, "inspect/app", tmp);
  std::string out;
  int rc = testing::run_command(testing::bulwark_binary() + " inspect --insecure-registry " +
                                    host() + " " + ref + " --format json",
                                &out);
  ASSERT_EQ(rc, 0);
  auto j = core::parse_json(out, "inspect output");
  ASSERT_TRUE(j.ok()) << out;
  EXPECT_EQ((*j)["reference"], ref);
  ASSERT_EQ((*j)["manifest"]["layers"].size(), 2U);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ((*j)["manifest"]["layers"][i]["size"].get<int64_t>(),
              static_cast<int64_t>(b.layers()[i].stored.size()));
  }
  std::string table;
  ASSERT_EQ(
      testing::run_command(
          testing::bulwark_binary() + " inspect --insecure-registry " + host() + " " + ref, &table),
      0);
  EXPECT_NE(table.find("Layers:"), std::string::npos);
  EXPECT_NE(table.find("linux/amd64"), std::string::npos);
  std::string raw;
  ASSERT_EQ(testing::run_command(testing::bulwark_binary() + " inspect --raw --insecure-registry " +
                                     host() + " " + ref,
                                 &raw),
            0);
  EXPECT_EQ(raw, b.manifest_json());
}

TEST_F(PlainRegistry, PushPrimitivesWriteWhatSkopeoReadsBack) {
  Client c(host(), options(host()));
  std::string repo = "push/artifact";
  std::string config = "{}";
  std::string payload(200000, 'p');
  auto cfg = c.upload_blob(repo, config);
  ASSERT_TRUE(cfg.ok()) << cfg.error().message();
  auto layer = c.upload_blob_chunked(repo, payload, 65536);
  ASSERT_TRUE(layer.ok()) << layer.error().message();
  auto exists = c.blob_exists(repo, layer->digest);
  ASSERT_TRUE(exists.ok());
  ASSERT_TRUE(exists->has_value());
  EXPECT_EQ(**exists, static_cast<int64_t>(payload.size()));
  auto missing = c.blob_exists(repo, core::Digest::of("never uploaded"));
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  // Cross-repository mount into a second repository.
  auto mounted = c.mount_blob("push/other", repo, layer->digest);
  ASSERT_TRUE(mounted.ok()) << mounted.error().message();
  EXPECT_TRUE(*mounted);
  auto in_other = c.blob_exists("push/other", layer->digest);
  ASSERT_TRUE(in_other.ok() && in_other->has_value());

  nlohmann::json m = {{"schemaVersion", 2},
                      {"mediaType", kOciManifest},
                      {"artifactType", "application/vnd.bulwark.test"},
                      {"config",
                       {{"mediaType", "application/vnd.oci.empty.v1+json"},
                        {"digest", cfg->digest.str()},
                        {"size", 2}}},
                      {"layers",
                       {{{"mediaType", "application/octet-stream"},
                         {"digest", layer->digest.str()},
                         {"size", payload.size()}}}}};
  std::string body = m.dump();
  auto put = c.put_manifest(repo, "v1", body, std::string(kOciManifest));
  ASSERT_TRUE(put.ok()) << put.error().message();
  std::string raw;
  ASSERT_EQ(
      testing::run_command(
          "skopeo inspect --raw --tls-verify=false docker://" + host() + "/" + repo + ":v1", &raw),
      0);
  EXPECT_EQ(raw, body);
  auto tags = c.list_tags(repo);
  ASSERT_TRUE(tags.ok()) << tags.error().message();
  EXPECT_EQ(*tags, std::vector<std::string>{"v1"});

  // A referrer (OCI 1.1 subject). This registry has no referrers API, so the client keeps the
  // tag-schema index sha256-<hex> and reads it back through the same fallback.
  nlohmann::json sig = m;
  sig["artifactType"] = "application/vnd.bulwark.signature";
  sig["subject"] = {{"mediaType", kOciManifest}, {"digest", put->str()}, {"size", body.size()}};
  std::string sig_body = sig.dump();
  bool supported = true;
  auto sig_digest = c.put_manifest(repo, core::Digest::of(sig_body).str(), sig_body,
                                   std::string(kOciManifest), &supported);
  ASSERT_TRUE(sig_digest.ok()) << sig_digest.error().message();
  EXPECT_FALSE(supported);
  Descriptor d{
      std::string(kOciManifest),           *sig_digest, static_cast<int64_t>(sig_body.size()), {},
      "application/vnd.bulwark.signature", {}};
  ASSERT_TRUE(c.add_referrer_fallback(repo, *put, d).ok());
  auto refs = c.referrers(repo, *put);
  ASSERT_TRUE(refs.ok()) << refs.error().message();
  ASSERT_EQ(refs->manifests.size(), 1U);
  EXPECT_EQ(refs->manifests[0].digest, *sig_digest);
  auto filtered = c.referrers(repo, *put, "application/other");
  ASSERT_TRUE(filtered.ok());
  EXPECT_TRUE(filtered->manifests.empty());
  auto none = c.referrers(repo, *sig_digest);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->manifests.empty());
}

// ---- misbehaving servers: the fault proxy in front of the real registry ----

struct Proxy {
  testing::ChildProcess proc;
  int port = 0;
  std::string log;
  std::string host() const { return "127.0.0.1:" + std::to_string(port); }
};

std::unique_ptr<Proxy> start_proxy(const TempDir& tmp, int upstream, const std::string& mode) {
  auto p = std::make_unique<Proxy>();
  p->port = testing::free_port();
  p->log = tmp.str() + "/proxy-" + mode + ".log";
  if (!p->proc.start({"python3", scripts() + "fault_proxy.py", std::to_string(p->port),
                      std::to_string(upstream), mode, p->log},
                     tmp.str() + "/proxy.out", p->port))
    return nullptr;
  return p;
}

// The pull stream hands out libcurl's chunks in whatever pieces the reader asks for: buffers
// smaller than a chunk (the rest waits, the transfer paused), larger, and changing sizes give
// the blob byte for byte; a descriptor size smaller than the blob is an error.
TEST_F(PlainRegistry, PulledBlobIsExactWhateverTheReaderBufferSizes) {
  Client c(host(), options(host()));
  std::string blob(3 * 1024 * 1024 + 17, '\0');
  for (size_t i = 0; i < blob.size(); ++i) blob[i] = static_cast<char>((i * 2654435761U) >> 13);
  auto up = c.upload_blob("pull/sizes", blob);
  ASSERT_TRUE(up.ok()) << up.error().message();
  for (size_t step :
       {size_t{1}, size_t{7}, size_t{4096}, size_t{65536}, size_t{131075}, size_t{1} << 20}) {
    SCOPED_TRACE(step);
    auto reader = c.open_blob("pull/sizes", up->digest, static_cast<int64_t>(blob.size()));
    std::string got;
    std::vector<std::byte> buf(step == 1 ? 300000 : step);
    for (size_t round = 0;; ++round) {
      // Step 1: sizes vary from 1 byte to 300000 bytes within one transfer.
      size_t want = step == 1 ? 1 + (round * 7919) % buf.size() : buf.size();
      auto n = reader->read(std::span<std::byte>(buf).first(want));
      ASSERT_TRUE(n.ok()) << n.error().message();
      if (*n == 0) break;
      ASSERT_LE(*n, want);
      got.append(reinterpret_cast<const char*>(buf.data()), *n);
    }
    EXPECT_EQ(got.size(), blob.size());
    EXPECT_TRUE(got == blob);
    EXPECT_EQ(core::Digest::of(got), up->digest);
  }
  auto short_reader = c.open_blob("pull/sizes", up->digest, 1000);
  std::vector<std::byte> buf(4096);
  core::Result<size_t> n = size_t{0};
  do {
    n = short_reader->read(buf);
  } while (n.ok() && *n > 0);
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.error().message().find("larger than the 1000 bytes its descriptor says"),
            std::string::npos)
      << n.error().message();
}

TEST_F(PlainRegistry, InterruptedDownloadResumesWithRange) {
  TempDir tmp;
  std::string ref = push(debian_like("resumed"), "resume/app", tmp);
  auto proxy = start_proxy(tmp, registry_->port(), "cut");
  ASSERT_TRUE(proxy);
  std::string via = proxy->host() + "/resume/app:1.0";
  auto r = scan(via, options(proxy->host()));
  ASSERT_TRUE(r.ok()) << r.error().message();
  auto direct = scan(ref, options(host()));
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(package_lines(*r), package_lines(*direct));
  std::string log = testing::read_file(proxy->log);
  EXPECT_NE(log.find("bytes="), std::string::npos) << log;  // a Range request resumed it
}

TEST_F(PlainRegistry, DroppingALayerStreamWaitingOnAStalledDownloadReturnsPromptly) {
  // The layer reader's stored stage: the pipeline's thread downloads (BlobReader into its ring
  // chunk) and hashes; when the reader gives up (another layer failed), dropping the pipeline
  // must cancel the transfer instead of waiting for the registry or the low-speed timeout.
  TempDir tmp;
  push(debian_like("stalled"), "stall/app", tmp);
  auto proxy = start_proxy(tmp, registry_->port(), "stall");
  ASSERT_TRUE(proxy);
  auto o = options(proxy->host());
  o.transport.low_speed_time = std::chrono::milliseconds(60000);
  ClientPool pool(o);
  auto img = open_registry_image(proxy->host() + "/stall/app:1.0", {}, pool);
  ASSERT_TRUE(img.ok()) << img.error().message();
  ASSERT_EQ(img->layers.size(), 2U);
  auto raw = img->store->open(img->layers[1].blob);
  ASSERT_TRUE(raw.ok()) << raw.error().message();
  auto hashed =
      std::make_unique<image::HashingStream>(std::move(*raw), img->layers[1].blob.digest, "layer");
  auto start = std::chrono::steady_clock::now();
  {
    image::PipelinedStream stored(std::move(hashed), 256 << 10, 8);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // half the blob, then a wait
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  std::string log = testing::read_file(proxy->log);
  EXPECT_NE(log.find("GET /v2/stall/app/blobs/" + img->layers[1].blob.digest->str()),
            std::string::npos)
      << log;
}

TEST_F(PlainRegistry, ProxyFromTheEnvironmentUnlessNoProxy) {
  TempDir tmp;
  std::string ref = push(debian_like("proxied"), "proxied/app", tmp);
  auto proxy = start_proxy(tmp, registry_->port(), "pass");
  ASSERT_TRUE(proxy);
  // libcurl reads http_proxy for http:// URLs (HTTPS_PROXY for https://) and NO_PROXY.
  ::setenv("http_proxy", ("http://" + proxy->host()).c_str(), 1);
  ::unsetenv("no_proxy");
  ::unsetenv("NO_PROXY");
  auto via = scan(ref, options(host()));
  std::string log = testing::read_file(proxy->log);
  ::setenv("NO_PROXY", "127.0.0.1", 1);
  auto direct = scan(ref, options(host()));
  std::string log_after = testing::read_file(proxy->log);
  ::unsetenv("http_proxy");
  ::unsetenv("NO_PROXY");
  ASSERT_TRUE(via.ok()) << via.error().message();
  ASSERT_TRUE(direct.ok()) << direct.error().message();
  EXPECT_NE(log.find("/v2/proxied/app/manifests/1.0"), std::string::npos) << log;
  EXPECT_EQ(log_after, log);  // NO_PROXY: nothing more went through the proxy
}

TEST_F(PlainRegistry, RateLimitHonoursRetryAfter) {
  TempDir tmp;
  push(debian_like("limited"), "limited/app", tmp);
  auto proxy = start_proxy(tmp, registry_->port(), "429");
  ASSERT_TRUE(proxy);
  auto start = std::chrono::steady_clock::now();
  auto r = scan(proxy->host() + "/limited/app:1.0", options(proxy->host()));
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->packages.size(), 1U);
  EXPECT_GE(took, std::chrono::milliseconds(900));  // Retry-After: 1 waited, not 50 ms backoff
  // With no retries left the 429 is the error.
  auto o = options(proxy->host());
  o.max_retries = 0;
  auto proxy2 = start_proxy(tmp, registry_->port(), "429");
  ASSERT_TRUE(proxy2);
  auto fail = scan(proxy2->host() + "/limited/app:1.0", [&] {
    auto x = options(proxy2->host());
    x.max_retries = 0;
    return x;
  }());
  ASSERT_FALSE(fail.ok());
  EXPECT_NE(fail.error().message().find("HTTP 429"), std::string::npos) << fail.error().message();
}

TEST_F(PlainRegistry, RateLimitHonoursRetryAfterGivenAsAnHttpDate) {
  TempDir tmp;
  push(debian_like("limited-date"), "limited/date", tmp);
  auto proxy = start_proxy(tmp, registry_->port(), "429date");
  ASSERT_TRUE(proxy);
  auto start = std::chrono::steady_clock::now();
  auto r = scan(proxy->host() + "/limited/date:1.0", options(proxy->host()));
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->packages.size(), 1U);
  std::string log = testing::read_file(proxy->log);
  EXPECT_NE(log.find("429 Retry-After: "), std::string::npos) << log;
  EXPECT_NE(log.find(" GMT\n"), std::string::npos) << log;
  // The date is 3 s ahead in whole seconds, so each wait is over 2 s (the 50 ms backoff
  // would be used if the date were not understood); the scan waited for it.
  EXPECT_GE(took, std::chrono::milliseconds(2000));
  // Each wait ends at its date (about 3 s); a misread date would not wait or wait the 30 s cap.
  EXPECT_LT(took, std::chrono::seconds(25));
}

struct BadCase {
  const char* mode;
  const char* expect;  // in the one-line error
};

TEST_F(PlainRegistry, MisbehavingRegistriesGiveOneLineErrorsInBoundedTime) {
  TempDir tmp;
  push(debian_like("victim"), "bad/app", tmp);
  const BadCase cases[] = {
      {"garbage", "JSON"},         {"huge", "manifest limit"},
      {"blob404", "BLOB_UNKNOWN"}, {"bigblob", "larger than the"},
      {"corrupt", "hashes to"},    {"redirect", "redirect"},
      {"slowloris", "timed out"},  {"schema1", "schema 1"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.mode);
    auto proxy = start_proxy(tmp, registry_->port(), c.mode);
    ASSERT_TRUE(proxy);
    auto o = options(proxy->host());
    o.transport.low_speed_time = std::chrono::milliseconds(2000);
    o.max_retries = 1;
    auto start = std::chrono::steady_clock::now();
    auto r = scan(proxy->host() + "/bad/app:1.0", o);
    auto took = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(r.ok());
    const std::string& msg = r.error().message();
    EXPECT_NE(msg.find("registry " + proxy->host()), std::string::npos) << msg;
    EXPECT_NE(msg.find(c.expect), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    EXPECT_LT(took, std::chrono::seconds(20));
  }
}

// ---- TLS + htpasswd ----

class TlsRegistry : public ::testing::Test {
 protected:
  void SetUp() override {
    BW_REQUIRE_COMMAND("docker-registry");
    BW_REQUIRE_COMMAND("skopeo");
    BW_REQUIRE_COMMAND("htpasswd");
    BW_REQUIRE_COMMAND("openssl");
    ASSERT_TRUE(testing::make_test_pki(tmp_.str(), "IP:127.0.0.1"));
    ASSERT_EQ(testing::run_command("htpasswd -Bbc '" + tmp_.str() +
                                   "/htpasswd' alice 's3cret-Pa55' 2>/dev/null"),
              0);
    testing::RegistryConfig c;
    c.tls_cert = tmp_.str() + "/server.crt";
    c.tls_key = tmp_.str() + "/server.key";
    c.htpasswd = tmp_.str() + "/htpasswd";
    ASSERT_TRUE(registry_.start(tmp_.str(), c));
    auto b = debian_like("over-tls");
    b.write_oci_layout(tmp_.str() + "/img.oci", "1.0");
    ASSERT_TRUE(testing::skopeo_copy("oci:" + tmp_.str() + "/img.oci:1.0",
                                     registry_.host() + "/tls/app:1.0", "alice:s3cret-Pa55"));
    ref_ = registry_.host() + "/tls/app:1.0";
  }
  ClientOptions options() const {
    ClientOptions o;
    o.transport.ca_cert = tmp_.str() + "/ca.crt";
    o.initial_backoff = std::chrono::milliseconds(20);
    o.max_retries = 1;
    o.credentials.use_environment = false;
    o.credentials.docker_config_path = "/nonexistent";
    return o;
  }
  TempDir tmp_;
  testing::TestRegistry registry_;
  std::string ref_;
};

TEST_F(TlsRegistry, BasicAuthWithExplicitCredentials) {
  auto o = options();
  o.credentials.explicit_credential = Credential{"alice", "s3cret-Pa55", "test"};
  auto r = scan(ref_, o);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->packages.size(), 1U);
  EXPECT_EQ(r->packages[0].name, "over-tls");
}

TEST_F(TlsRegistry, NoOrWrongCredentialsFailNamingTheRegistry) {
  auto anon = scan(ref_, options());
  ASSERT_FALSE(anon.ok());
  EXPECT_NE(anon.error().message().find("registry " + registry_.host()), std::string::npos);
  EXPECT_NE(anon.error().message().find("requires a login"), std::string::npos)
      << anon.error().message();
  auto o = options();
  o.credentials.explicit_credential = Credential{"alice", "wrong", "test"};
  auto wrong = scan(ref_, o);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message().find("HTTP 401"), std::string::npos) << wrong.error().message();
}

TEST_F(TlsRegistry, UntrustedOrMismatchedCertificateIsRefused) {
  auto o = options();
  o.transport.ca_cert.clear();  // system trust only: the test CA is unknown
  o.credentials.explicit_credential = Credential{"alice", "s3cret-Pa55", "test"};
  auto untrusted = scan(ref_, o);
  ASSERT_FALSE(untrusted.ok());
  EXPECT_NE(untrusted.error().message().find("registry " + registry_.host()), std::string::npos);
  EXPECT_NE(untrusted.error().message().find("certificate"), std::string::npos)
      << untrusted.error().message();

  // A server whose certificate is for another host name.
  TempDir other;
  ASSERT_TRUE(testing::make_test_pki(other.str(), "DNS:other.example"));
  testing::RegistryConfig c;
  c.tls_cert = other.str() + "/server.crt";
  c.tls_key = other.str() + "/server.key";
  testing::TestRegistry wrong_host;
  ASSERT_TRUE(wrong_host.start(other.str(), c));
  auto o2 = options();
  o2.transport.ca_cert = other.str() + "/ca.crt";
  auto r = scan(wrong_host.host() + "/x/y:1", o2);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("registry " + wrong_host.host()), std::string::npos);
  EXPECT_NE(r.error().message().find("127.0.0.1"), std::string::npos) << r.error().message();
}

TEST_F(TlsRegistry, CredentialsFromDockerConfigAuths) {
  auto o = options();
  o.credentials.docker_config_path = tmp_.str() + "/config.json";
  // base64("alice:s3cret-Pa55")
  testing::write_file(
      o.credentials.docker_config_path,
      R"({"auths":{")" + registry_.host() + R"(":{"auth":"YWxpY2U6czNjcmV0LVBhNTU="}}})");
  auto r = scan(ref_, o);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->packages.size(), 1U);
}

TEST_F(TlsRegistry, CredentialsFromACredentialHelper) {
  std::string bin = tmp_.str() + "/bin";
  std::filesystem::create_directories(bin);
  // docker-credential-helpers protocol: server URL on stdin, JSON on stdout.
  testing::write_file(
      bin + "/docker-credential-bwtest",
      "#!/bin/sh\nread server\necho \"$server\" > '" + tmp_.str() +
          "/helper-asked'\n"
          "echo "
          "'{\"ServerURL\":\"'$server'\",\"Username\":\"alice\",\"Secret\":\"s3cret-Pa55\"}'\n");
  std::filesystem::permissions(bin + "/docker-credential-bwtest",
                               std::filesystem::perms::owner_all);
  std::string old_path = std::getenv("PATH");
  ::setenv("PATH", (bin + ":" + old_path).c_str(), 1);
  auto o = options();
  o.credentials.docker_config_path = tmp_.str() + "/config.json";
  testing::write_file(o.credentials.docker_config_path,
                      R"({"credHelpers":{")" + registry_.host() + R"(":"bwtest"}})");
  auto r = scan(ref_, o);
  ::setenv("PATH", old_path.c_str(), 1);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->packages.size(), 1U);
  EXPECT_EQ(testing::read_file(tmp_.str() + "/helper-asked"), registry_.host() + "\n");
  // The same helper as the default store (credsStore) for every registry.
  testing::write_file(o.credentials.docker_config_path, R"({"credsStore":"bwtest"})");
  std::filesystem::remove(tmp_.str() + "/helper-asked");
  ::setenv("PATH", (bin + ":" + old_path).c_str(), 1);
  auto r2 = scan(ref_, o);
  ::setenv("PATH", old_path.c_str(), 1);
  ASSERT_TRUE(r2.ok()) << r2.error().message();
  EXPECT_EQ(testing::read_file(tmp_.str() + "/helper-asked"), registry_.host() + "\n");
}

TEST_F(TlsRegistry, DebugLogsNeverContainTheCredential) {
  std::string log = tmp_.str() + "/debug.log";
  std::string cmd = "BULWARK_REGISTRY_USERNAME=alice BULWARK_REGISTRY_PASSWORD='s3cret-Pa55' " +
                    testing::bulwark_binary() +
                    " -v --log-format json sbom --no-cache --ca-cert '" + tmp_.str() + "/ca.crt' " +
                    ref_ + " >/dev/null 2>'" + log + "'";
  ASSERT_EQ(testing::run_command(cmd), 0) << testing::read_file(log);
  std::string text = testing::read_file(log);
  EXPECT_NE(text.find("registry " + registry_.host()), std::string::npos);  // debug lines exist
  EXPECT_NE(text.find("(HTTP/2)"), std::string::npos);  // the registry offers h2 over TLS
  EXPECT_EQ(text.find("s3cret-Pa55"), std::string::npos);
  EXPECT_EQ(text.find("YWxpY2U6czNjcmV0LVBhNTU"), std::string::npos);  // base64 user:pass
  // Also with --password-stdin.
  std::string cmd2 = "printf 's3cret-Pa55\\n' | " + testing::bulwark_binary() +
                     " -v sbom --no-cache --username alice --password-stdin --ca-cert '" +
                     tmp_.str() + "/ca.crt' " + ref_ + " >/dev/null 2>'" + log + "'";
  ASSERT_EQ(testing::run_command(cmd2), 0) << testing::read_file(log);
  EXPECT_EQ(testing::read_file(log).find("s3cret-Pa55"), std::string::npos);
}

// ---- token auth ----

// A token service (token_server.py) and a registry trusting the tokens it signs, in `d`;
// with `refresh_token` the service also takes that identity token in OAuth2 POSTs.
struct TokenSetup {
  testing::ChildProcess token;
  testing::TestRegistry reg;
  std::string log;

  ::testing::AssertionResult start(const std::string& d, const std::string& refresh_token = "") {
    if (testing::run_command("cd '" + d +
                             "' && openssl req -x509 -newkey rsa:2048 -nodes -keyout token.key "
                             "-out token.crt -days 2 -subj '/CN=bulwark token signer' "
                             "2>/dev/null") != 0)
      return ::testing::AssertionFailure() << "openssl failed";
    int token_port = testing::free_port();
    log = d + "/token.log";
    std::vector<std::string> argv = {"python3",
                                     scripts() + "token_server.py",
                                     std::to_string(token_port),
                                     d + "/token.key",
                                     d + "/token.crt",
                                     "bulwark-test-issuer",
                                     "bulwark-test-registry",
                                     "bob",
                                     "t0ken-Pa55",
                                     log};
    if (!refresh_token.empty()) argv.push_back(refresh_token);
    if (!token.start(argv, d + "/token.out", token_port))
      return ::testing::AssertionFailure() << testing::read_file(d + "/token.out");
    testing::RegistryConfig c;
    c.token_realm = "http://127.0.0.1:" + std::to_string(token_port) + "/token";
    c.token_service = "bulwark-test-registry";
    c.token_issuer = "bulwark-test-issuer";
    c.token_rootcert = d + "/token.crt";
    if (!reg.start(d, c)) return ::testing::AssertionFailure() << "docker-registry did not start";
    auto b = debian_like("behind-tokens");
    b.write_oci_layout(d + "/img.oci", "1.0");
    if (!testing::skopeo_copy("oci:" + d + "/img.oci:1.0", reg.host() + "/tok/app:1.0",
                              "bob:t0ken-Pa55"))
      return ::testing::AssertionFailure() << testing::read_file(reg.log_path());
    return ::testing::AssertionSuccess();
  }
};

TEST(TokenRegistry, BearerTokenFlowForPullAndPushWithCachedTokens) {
  BW_REQUIRE_COMMAND("docker-registry");
  BW_REQUIRE_COMMAND("skopeo");
  BW_REQUIRE_COMMAND("openssl");
  TempDir tmp;
  TokenSetup setup;
  ASSERT_TRUE(setup.start(tmp.str()));
  auto& reg = setup.reg;
  const std::string& token_log = setup.log;

  ClientOptions o;
  o.insecure_hosts = {reg.host()};
  o.credentials.use_environment = false;
  o.credentials.explicit_credential = Credential{"bob", "t0ken-Pa55", "test"};
  testing::write_file(token_log, "");
  auto r = scan(reg.host() + "/tok/app:1.0", o);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->packages.size(), 1U);
  EXPECT_EQ(r->packages[0].name, "behind-tokens");
  // One token for the pull scope served the manifest, config and both layers.
  std::string log = testing::read_file(token_log);
  EXPECT_EQ(log, "token repository:tok/app:pull authed=True\n");

  // Tokens are reused until they expire (expires_in 300 s; the injected clock jumps ahead).
  struct JumpingClock final : Clock {
    std::atomic<int64_t> offset_s{0};
    std::chrono::steady_clock::time_point now() const override {
      return std::chrono::steady_clock::now() + std::chrono::seconds(offset_s.load());
    }
    void sleep_for(std::chrono::milliseconds d) const override { std::this_thread::sleep_for(d); }
  };
  auto clock = std::make_shared<JumpingClock>();
  auto timed = o;
  timed.clock = clock;
  Client client(reg.host(), timed);
  testing::write_file(token_log, "");
  ASSERT_TRUE(client.get_manifest("tok/app", "1.0").ok());
  ASSERT_TRUE(client.get_manifest("tok/app", "1.0").ok());
  EXPECT_EQ(testing::read_file(token_log), "token repository:tok/app:pull authed=True\n");
  clock->offset_s = 400;
  ASSERT_TRUE(client.get_manifest("tok/app", "1.0").ok());
  EXPECT_EQ(testing::read_file(token_log),
            "token repository:tok/app:pull authed=True\n"
            "token repository:tok/app:pull authed=True\n");

  // Push needs a push-scoped token: anonymous gets pull only and the upload is refused.
  Client authed(reg.host(), o);
  auto up = authed.upload_blob("tok/pushed", "hello");
  ASSERT_TRUE(up.ok()) << up.error().message();
  auto anon_opts = o;
  anon_opts.credentials.explicit_credential.reset();
  anon_opts.credentials.docker_config_path = "/nonexistent";
  Client anon(reg.host(), anon_opts);
  auto pulled = anon.get_blob("tok/pushed", up->digest, 100);
  ASSERT_TRUE(pulled.ok()) << pulled.error().message();
  EXPECT_EQ(*pulled, "hello");
  auto denied = anon.upload_blob("tok/pushed", "nope");
  ASSERT_FALSE(denied.ok());
  EXPECT_NE(denied.error().message().find("registry " + reg.host()), std::string::npos);
}

// An identity token (`docker login` keeps one in "identitytoken"; a credential helper returns
// it with the username "<token>") is an OAuth2 refresh token: it is traded for access tokens
// with a form POST (distribution docs/spec/auth/oauth.md), never sent as a password, and never
// printed.
TEST(TokenRegistry, IdentityTokenIsTradedForAccessTokensWithAnOAuth2Post) {
  BW_REQUIRE_COMMAND("docker-registry");
  BW_REQUIRE_COMMAND("skopeo");
  BW_REQUIRE_COMMAND("openssl");
  TempDir tmp;
  const std::string d = tmp.str();
  const std::string kIdentity = "idt-Refr3sh/7Qx+w=9";  // '/', '+', '=' must be form-escaped
  TokenSetup setup;
  ASSERT_TRUE(setup.start(d, kIdentity));
  const std::string host = setup.reg.host();
  const std::string ref = host + "/tok/app:1.0";
  auto expect_post = [&](const std::string& scope) {
    return "oauth content_type=application/x-www-form-urlencoded grant_type=refresh_token "
           "refresh_token=" +
           kIdentity + " service=bulwark-test-registry client_id=bulwark scope=" + scope +
           " basic=False scope_params=1\n";
  };
  ClientOptions o;
  o.insecure_hosts = {host};
  o.credentials.use_environment = false;
  o.credentials.docker_config_path = d + "/config.json";

  // 1. "identitytoken" in the config's auths entry ("auth" then holds only "bob:").
  testing::write_file(o.credentials.docker_config_path,
                      R"({"auths":{")" + host + R"(":{"auth":"Ym9iOg==","identitytoken":")" +
                          kIdentity + R"("}}})");
  testing::write_file(setup.log, "");
  auto r = scan(ref, o);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->packages.size(), 1U);
  EXPECT_EQ(r->packages[0].name, "behind-tokens");
  EXPECT_EQ(testing::read_file(setup.log), expect_post("repository:tok/app:pull"));

  // The access token it gives carries the push scope asked for: a push works.
  {
    Client c(host, o);
    testing::write_file(setup.log, "");
    auto up = c.upload_blob("tok/id-pushed", "pushed with an identity token");
    ASSERT_TRUE(up.ok()) << up.error().message();
    EXPECT_EQ(testing::read_file(setup.log), expect_post("repository:tok/id-pushed:pull,push"));
  }

  // 2. A credential helper answering Username "<token>".
  std::string bin = d + "/bin";
  std::filesystem::create_directories(bin);
  testing::write_file(bin + "/docker-credential-bwtoken",
                      "#!/bin/sh\nread server\necho '{\"ServerURL\":\"'$server'\","
                      "\"Username\":\"<token>\",\"Secret\":\"" +
                          kIdentity + "\"}'\n");
  std::filesystem::permissions(bin + "/docker-credential-bwtoken",
                               std::filesystem::perms::owner_all);
  testing::write_file(o.credentials.docker_config_path,
                      R"({"credHelpers":{")" + host + R"(":"bwtoken"}})");
  std::string old_path = std::getenv("PATH");
  ::setenv("PATH", (bin + ":" + old_path).c_str(), 1);
  testing::write_file(setup.log, "");
  auto r2 = scan(ref, o);
  ::setenv("PATH", old_path.c_str(), 1);
  ASSERT_TRUE(r2.ok()) << r2.error().message();
  EXPECT_EQ(package_lines(*r2), package_lines(*r));
  EXPECT_EQ(testing::read_file(setup.log), expect_post("repository:tok/app:pull"));

  // 3. A token the service does not know: one line naming the registry, without the token.
  testing::write_file(o.credentials.docker_config_path,
                      R"({"auths":{")" + host + R"(":{"identitytoken":"not-the-token"}}})");
  auto bad = scan(ref, o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("registry " + host), std::string::npos);
  EXPECT_NE(bad.error().message().find("refused the identity token"), std::string::npos)
      << bad.error().message();
  EXPECT_EQ(bad.error().message().find("not-the-token"), std::string::npos);

  // 4. Debug output of the real binary never holds the identity token (config and helper).
  testing::write_file(d + "/config.json", R"({"auths":{")" + host +
                                              R"(":{"auth":"Ym9iOg==","identitytoken":")" +
                                              kIdentity + R"("}}})");
  std::string debug = d + "/debug.log";
  std::string cmd = "DOCKER_CONFIG='" + d +
                    "' BULWARK_REGISTRY_USERNAME= " + testing::bulwark_binary() +
                    " -v --log-format json sbom --no-cache --insecure-registry " + host + " " +
                    ref + " >/dev/null 2>'" + debug + "'";
  ASSERT_EQ(testing::run_command(cmd), 0) << testing::read_file(debug);
  std::string text = testing::read_file(debug);
  EXPECT_NE(text.find("OAuth2 refresh"), std::string::npos) << text;  // the debug lines exist
  EXPECT_EQ(text.find(kIdentity), std::string::npos);
  EXPECT_EQ(text.find("idt-Refr3sh"), std::string::npos);  // not even escaped or in part
  testing::write_file(d + "/config.json", R"({"credHelpers":{")" + host + R"(":"bwtoken"}})");
  std::string cmd2 = "PATH='" + bin + ":" + old_path + "' " + cmd;
  ASSERT_EQ(testing::run_command(cmd2), 0) << testing::read_file(debug);
  text = testing::read_file(debug);
  EXPECT_NE(text.find("docker-credential-bwtoken"), std::string::npos) << text;
  EXPECT_EQ(text.find("idt-Refr3sh"), std::string::npos);
}

// distribution oauth.md: a token service without OAuth2 answers the refresh-token POST with
// 404 (others 405, or 400 for a grant they do not know); the client then uses the GET flow of
// token.md with Basic auth, here with the password `docker login` kept next to the identity
// token, and keeps using it for the rest of the run. Without a password it is a clear error.
TEST(TokenRegistry, RefusedOAuthPostFallsBackToTheGetFlowWithThePasswordKeptBesideTheToken) {
  BW_REQUIRE_COMMAND("docker-registry");
  BW_REQUIRE_COMMAND("skopeo");
  BW_REQUIRE_COMMAND("openssl");
  TempDir tmp;
  const std::string d = tmp.str();
  const std::string kIdentity = "idt-Fallb4ck";
  TokenSetup setup;
  ASSERT_TRUE(setup.start(d, kIdentity));
  const std::string host = setup.reg.host();
  ClientOptions o;
  o.insecure_hosts = {host};
  o.credentials.use_environment = false;
  o.credentials.docker_config_path = d + "/config.json";
  // "auth" is base64("bob:t0ken-Pa55"): user and password, next to the identity token.
  const std::string with_password = R"({"auths":{")" + host +
                                    R"(":{"auth":"Ym9iOnQwa2VuLVBhNTU=","identitytoken":")" +
                                    kIdentity + R"("}}})";
  for (std::string mode : {"post404", "post405", "post400"}) {
    SCOPED_TRACE(mode);
    testing::write_file(setup.log + ".mode", mode);
    testing::write_file(o.credentials.docker_config_path, with_password);
    testing::write_file(setup.log, "");
    auto r = scan(host + "/tok/app:1.0", o);
    ASSERT_TRUE(r.ok()) << r.error().message();
    ASSERT_EQ(r->packages.size(), 1U);
    EXPECT_EQ(r->packages[0].name, "behind-tokens");
    std::string log = testing::read_file(setup.log);
    EXPECT_EQ(log.substr(0, 6), "oauth ") << log;  // the POST came first
    EXPECT_NE(log.find("\ntoken repository:tok/app:pull authed=True\n"), std::string::npos) << log;

    // Within a run the refused POST is not repeated: a push scope goes straight to GET.
    Client c(host, o);
    ASSERT_TRUE(c.get_manifest("tok/app", "1.0").ok());
    testing::write_file(setup.log, "");
    auto up = c.upload_blob("tok/fallback-pushed", "pushed after a refused OAuth2 POST");
    ASSERT_TRUE(up.ok()) << up.error().message();
    EXPECT_EQ(testing::read_file(setup.log),
              "token repository:tok/fallback-pushed:pull,push authed=True\n");

    // Only the identity token ("auth" is "bob:"): no GET with it as a password; one line.
    testing::write_file(o.credentials.docker_config_path,
                        R"({"auths":{")" + host + R"(":{"auth":"Ym9iOg==","identitytoken":")" +
                            kIdentity + R"("}}})");
    testing::write_file(setup.log, "");
    auto bad = scan(host + "/tok/app:1.0", o);
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message().find("registry " + host), std::string::npos);
    EXPECT_EQ(bad.error().message().find(kIdentity), std::string::npos);
    EXPECT_EQ(testing::read_file(setup.log).find("token repository"), std::string::npos);
  }
}

// RFC 6749 §6: a refresh may return a new refresh token. The service here accepts only the
// newest one, so every later POST of the run must carry it; it is never printed.
TEST(TokenRegistry, ARefreshTokenIssuedByTheServiceIsUsedForTheRestOfTheRun) {
  BW_REQUIRE_COMMAND("docker-registry");
  BW_REQUIRE_COMMAND("skopeo");
  BW_REQUIRE_COMMAND("openssl");
  TempDir tmp;
  const std::string d = tmp.str();
  const std::string kIdentity = "idt-R0tates";
  TokenSetup setup;
  ASSERT_TRUE(setup.start(d, kIdentity));
  testing::write_file(setup.log + ".mode", "rotate");
  const std::string host = setup.reg.host();
  ClientOptions o;
  o.insecure_hosts = {host};
  o.credentials.use_environment = false;
  o.credentials.docker_config_path = d + "/config.json";
  testing::write_file(o.credentials.docker_config_path,
                      R"({"auths":{")" + host + R"(":{"identitytoken":")" + kIdentity + R"("}}})");
  testing::write_file(setup.log, "");
  Client c(host, o);
  ASSERT_TRUE(c.get_manifest("tok/app", "1.0").ok());
  auto up = c.upload_blob("tok/rotated", "pushed with a rotated refresh token");
  ASSERT_TRUE(up.ok()) << up.error().message();
  auto up2 = c.upload_blob("tok/rotated2", "and once more");
  ASSERT_TRUE(up2.ok()) << up2.error().message();
  std::string log = testing::read_file(setup.log);
  EXPECT_NE(log.find("refresh_token=" + kIdentity + " "), std::string::npos) << log;
  EXPECT_NE(log.find("refresh_token=" + kIdentity + "-r1 "), std::string::npos) << log;
  EXPECT_NE(log.find("refresh_token=" + kIdentity + "-r2 "), std::string::npos) << log;

  // The real binary, given the newest token (-r3): the one it is issued is never printed.
  testing::write_file(
      o.credentials.docker_config_path,
      R"({"auths":{")" + host + R"(":{"identitytoken":")" + kIdentity + R"(-r3"}}})");
  std::string debug = d + "/debug.log";
  std::string cmd = "DOCKER_CONFIG='" + d +
                    "' BULWARK_REGISTRY_USERNAME= " + testing::bulwark_binary() +
                    " -v --log-format json sbom --no-cache --insecure-registry " + host + " " +
                    host + "/tok/app:1.0 >/dev/null 2>'" + debug + "'";
  ASSERT_EQ(testing::run_command(cmd), 0) << testing::read_file(debug);
  std::string text = testing::read_file(debug);
  EXPECT_NE(text.find("issued a new refresh token"), std::string::npos) << text;
  EXPECT_EQ(text.find("idt-R0tates"), std::string::npos) << text;
}

}  // namespace
}  // namespace bulwark::registry
