// Client logic over the injectable Transport and Clock (STYLE.md: the OS behind an interface):
// decisions that a real server cannot easily provoke, checked without network or sleeping.
#include "registry/client.hpp"

#include <gtest/gtest.h>

#include <functional>

namespace bulwark::registry {
namespace {

class ScriptedTransport final : public Transport {
 public:
  std::function<HttpResponse(const HttpRequest&)> answer;
  std::vector<HttpRequest> seen;
  core::Result<HttpResponse> perform(const HttpRequest& req, const BodySink* sink) override {
    seen.push_back(req);
    HttpResponse r = answer(req);
    if (sink != nullptr && r.status >= 200 && r.status < 300) {
      if (!(*sink)(r, r.body)) return core::Error::io("aborted");
      r.body.clear();
    }
    return r;
  }
};

class RecordingClock final : public Clock {
 public:
  std::vector<std::chrono::milliseconds> sleeps;
  std::chrono::steady_clock::time_point now() const override { return start_; }
  void sleep_for(std::chrono::milliseconds d) const override {
    const_cast<RecordingClock*>(this)->sleeps.push_back(d);
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

HttpResponse response(long status, std::string body = "",
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  for (auto& [k, v] : headers) r.headers.emplace(k, v);
  return r;
}

const std::string kManifest =
    R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"x","digest":"sha256:)" +
    std::string(64, 'c') + R"(","size":2},"layers":[]})";

ClientOptions options(std::shared_ptr<Transport> t, std::shared_ptr<Clock> c) {
  ClientOptions o;
  o.transport_impl = std::move(t);
  o.clock = std::move(c);
  o.credentials.use_environment = false;
  o.credentials.docker_config_path = "/nonexistent";
  return o;
}

TEST(Client, CredentialsAreNotSentToAPlainHttpTokenRealmOfAnHttpsRegistry) {
  auto t = std::make_shared<ScriptedTransport>();
  t->answer = [](const HttpRequest& req) {
    if (req.url.starts_with("https://reg.example/v2/"))
      return response(401, "",
                      {{"www-authenticate", R"(Bearer realm="http://evil.example/token")"}});
    return response(200, R"({"token":"t"})");
  };
  auto o = options(t, std::make_shared<RecordingClock>());
  o.credentials.explicit_credential = Credential{"u", "secret", "test"};
  Client c("reg.example", o);
  auto m = c.get_manifest("a/b", "1");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message().find("refusing to send credentials"), std::string::npos);
  for (const auto& req : t->seen) EXPECT_FALSE(req.url.starts_with("http://evil.example"));
}

TEST(Client, RetryAfterIsHonouredAndCapped) {
  auto t = std::make_shared<ScriptedTransport>();
  int calls = 0;
  t->answer = [&](const HttpRequest&) {
    ++calls;
    if (calls == 1) return response(429, "", {{"retry-after", "7"}});
    if (calls == 2) return response(503, "", {{"retry-after", "100000"}});
    if (calls == 3) return response(502);
    return response(200, kManifest,
                    {{"content-type", "application/vnd.oci.image.manifest.v1+json"}});
  };
  auto clock = std::make_shared<RecordingClock>();
  auto o = options(t, clock);
  o.initial_backoff = std::chrono::milliseconds(100);
  o.max_backoff = std::chrono::milliseconds(30000);
  Client c("reg.example", o);
  auto m = c.get_manifest("a/b", "1");
  ASSERT_TRUE(m.ok()) << m.error().message();
  ASSERT_EQ(clock->sleeps.size(), 3U);
  EXPECT_EQ(clock->sleeps[0], std::chrono::milliseconds(7000));   // Retry-After
  EXPECT_EQ(clock->sleeps[1], std::chrono::milliseconds(30000));  // capped
  EXPECT_EQ(clock->sleeps[2], std::chrono::milliseconds(400));    // backoff 100 ms * 2^2
}

TEST(Client, ManifestWhoseContentDiffersFromTheAnnouncedDigestIsRejected) {
  auto t = std::make_shared<ScriptedTransport>();
  t->answer = [](const HttpRequest&) {
    return response(200, kManifest,
                    {{"content-type", "application/vnd.oci.image.manifest.v1+json"},
                     {"docker-content-digest", "sha256:" + std::string(64, 'd')}});
  };
  Client c("reg.example", options(t, std::make_shared<RecordingClock>()));
  auto m = c.get_manifest("a/b", "1");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code(), core::ErrorCode::kDigestMismatch);
  auto pinned = c.get_manifest("a/b", "sha256:" + std::string(64, 'e'));
  ASSERT_FALSE(pinned.ok());
  EXPECT_EQ(pinned.error().code(), core::ErrorCode::kDigestMismatch);
}

TEST(Client, ResumedDownloadThatRestartsFromZeroDropsTheBytesAlreadyDelivered) {
  // A server that ignores Range answers 200 with the whole blob: the prefix is skipped.
  std::string blob = "0123456789";
  struct Cut final : Transport {
    std::string blob;
    int calls = 0;
    std::optional<uint64_t> resumed_at;
    core::Result<HttpResponse> perform(const HttpRequest& req, const BodySink* sink) override {
      ++calls;
      if (calls == 2) resumed_at = req.range_start;
      HttpResponse r = response(200);
      if (calls == 1) {
        (void)(*sink)(r, std::string_view(blob).substr(0, 4));
        return core::Error::io("connection reset");
      }
      (void)(*sink)(r, blob);
      return r;
    }
  };
  auto cut = std::make_shared<Cut>();
  cut->blob = blob;
  Client c("reg.example", options(cut, std::make_shared<RecordingClock>()));
  std::string got;
  auto r = c.download_blob("a/b", core::Digest::of(blob), static_cast<int64_t>(blob.size()),
                           [&](std::string_view chunk) {
                             got.append(chunk);
                             return true;
                           });
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(got, blob);
  EXPECT_EQ(cut->calls, 2);
  EXPECT_EQ(cut->resumed_at, 4U);  // asked for Range: bytes=4-
}

TEST(Client, ReferrersApiAnswerIsUsedAndFilteredByArtifactType) {
  // OCI distribution-spec 1.1: GET /v2/<name>/referrers/<digest> answers an image index.
  auto t = std::make_shared<ScriptedTransport>();
  std::string sig = std::string(64, '1'), sbom = std::string(64, '2');
  t->answer = [&](const HttpRequest& req) {
    if (req.url.find("/referrers/sha256:") == std::string::npos) return response(404);
    return response(
        200,
        R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)"
        R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:)" +
            sig +
            R"(","size":10,"artifactType":"application/vnd.example.sig"},)"
            R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:)" +
            sbom + R"(","size":20,"artifactType":"application/spdx+json"}]})",
        {{"content-type", "application/vnd.oci.image.index.v1+json"}});
  };
  Client c("reg.example", options(t, std::make_shared<RecordingClock>()));
  auto subject = core::Digest::of("subject");
  auto all = c.referrers("a/b", subject);
  ASSERT_TRUE(all.ok()) << all.error().message();
  EXPECT_EQ(all->manifests.size(), 2U);
  auto sboms = c.referrers("a/b", subject, "application/spdx+json");
  ASSERT_TRUE(sboms.ok());
  ASSERT_EQ(sboms->manifests.size(), 1U);
  EXPECT_EQ(sboms->manifests[0].digest.hex, sbom);
  // The registry was asked with the filter too (it may apply it itself).
  EXPECT_NE(t->seen.back().url.find("artifactType=application%2Fspdx%2Bjson"), std::string::npos);
  // No fallback tag request was needed.
  for (const auto& req : t->seen) EXPECT_EQ(req.url.find("/manifests/sha256-"), std::string::npos);
}

}  // namespace
}  // namespace bulwark::registry
