// Registries that hand blob downloads to object storage or a CDN (Docker Hub, GHCR, ECR, GCR
// answer a blob GET with a redirect): Debian's docker-registry with its redirect middleware, in
// front of a storage server the test runs (storage_server.py, which logs whether a request
// carried credentials). The scan must follow the redirects, verify what it gets, give the same
// report as the layout, and never send the registry's credential to the storage host.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "cli/scan_pipeline.hpp"
#include "registry/registry_fixture.hpp"
#include "registry/source.hpp"
#include "support/image_builder.hpp"

namespace bulwark::registry {
namespace {

using testing::ImageBuilder;
using testing::TarEntry;
using testing::TempDir;

core::Result<report::Report> scan(const std::string& target, const ClientOptions& o) {
  install_image_source(std::make_shared<ClientPool>(o));
  cli::ScanOptions so;
  so.target = target;
  so.use_cache = false;
  return cli::run_scan(so);
}

std::vector<std::string> package_lines(const report::Report& r) {
  std::vector<std::string> out;
  for (const auto& p : r.packages) {
    std::string line = p.purl;
    for (const auto& l : p.locations) line += " " + l.path + "@" + l.layer_digest;
    out.push_back(line);
  }
  return out;
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream f(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(f, line);) out.push_back(line);
  return out;
}

TEST(RedirectingRegistry, BlobsComeFromStorageWithoutTheRegistryCredential) {
  BW_REQUIRE_COMMAND("docker-registry");
  BW_REQUIRE_COMMAND("skopeo");
  BW_REQUIRE_COMMAND("htpasswd");
  BW_REQUIRE_COMMAND("openssl");
  BW_REQUIRE_COMMAND("python3");
  TempDir tmp;
  ASSERT_TRUE(testing::make_test_pki(tmp.str(), "IP:127.0.0.1"));
  ASSERT_EQ(testing::run_command("htpasswd -Bbc '" + tmp.str() +
                                 "/htpasswd' alice 's3cret-Pa55' 2>/dev/null"),
            0);
  std::filesystem::create_directories(tmp.path() / "data");
  const int storage_port = testing::free_port();
  const std::string storage_log = tmp.str() + "/storage.log";
  testing::ChildProcess storage;
  ASSERT_TRUE(storage.start(
      {"python3", std::string(BULWARK_SOURCE_DIR) + "/tests/registry/storage_server.py",
       std::to_string(storage_port), tmp.str() + "/data", storage_log},
      tmp.str() + "/storage.out", storage_port));
  testing::RegistryConfig c;
  c.tls_cert = tmp.str() + "/server.crt";
  c.tls_key = tmp.str() + "/server.key";
  c.htpasswd = tmp.str() + "/htpasswd";
  c.redirect_baseurl = "http://127.0.0.1:" + std::to_string(storage_port) + "/";
  testing::TestRegistry registry;
  ASSERT_TRUE(registry.start(tmp.str(), c));

  ImageBuilder b;
  b.layer({TarEntry::dir("etc"), TarEntry::file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n"),
           TarEntry::dir("var"), TarEntry::dir("var/lib"), TarEntry::dir("var/lib/dpkg"),
           TarEntry::file("var/lib/dpkg/status",
                          "Package: redirected\nStatus: install ok installed\nArchitecture: "
                          "amd64\nVersion: 1.0-1\nMaintainer: t <t@example.com>\n"
                          "Description: test\n\n")});
  b.layer({TarEntry::file("opt/app/data.bin", std::string(200000, 'x'))});
  const std::string layout = tmp.str() + "/img.oci";
  b.write_oci_layout(layout, "1.0");
  const std::string ref = registry.host() + "/redirect/app:1.0";
  ASSERT_TRUE(testing::skopeo_copy("oci:" + layout + ":1.0", ref, "alice:s3cret-Pa55"));
  const size_t before = lines_of(storage_log).size();  // skopeo's own requests

  ClientOptions o;
  o.transport.ca_cert = tmp.str() + "/ca.crt";
  o.credentials.use_environment = false;
  o.credentials.docker_config_path = "/nonexistent";
  o.credentials.explicit_credential = Credential{"alice", "s3cret-Pa55", "test"};
  auto remote = scan(ref, o);
  ASSERT_TRUE(remote.ok()) << remote.error().message();
  auto local = scan("oci:" + layout + ":1.0", o);
  ASSERT_TRUE(local.ok()) << local.error().message();
  ASSERT_EQ(remote->packages.size(), 1U);
  EXPECT_EQ(package_lines(*remote), package_lines(*local));

  auto log = lines_of(storage_log);
  ASSERT_GE(log.size(), before);
  int blob_gets = 0;
  for (size_t i = before; i < log.size(); ++i) {
    if (log[i].starts_with("GET /docker/registry/v2/blobs/sha256/")) ++blob_gets;
    EXPECT_TRUE(log[i].ends_with("auth=no")) << "credential sent to the storage host: " << log[i];
  }
  EXPECT_GE(blob_gets, 3) << "config and both layers are fetched from storage";
}

}  // namespace
}  // namespace bulwark::registry
