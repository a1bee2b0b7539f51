// Client logic over the injectable Transport and Clock (STYLE.md: the OS behind an interface):
// decisions that a real server cannot easily provoke, checked without network or sleeping.
#include "registry/client.hpp"

#include <gtest/gtest.h>

#include <functional>

#include "support/test_env.hpp"

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
  std::chrono::system_clock::time_point wall_now() const override { return wall; }
  // 2015-10-21 07:27:53 UTC, seven seconds before the RFC 9110 example date.
  std::chrono::system_clock::time_point wall = std::chrono::system_clock::from_time_t(1445412473);
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

// RFC 9110 §10.2.3 and §5.6.7: Retry-After is delay-seconds or an HTTP-date, and a recipient
// must accept the IMF-fixdate and the obsolete RFC 850 and asctime forms of the date.
TEST(RetryAfter, AllThreeHttpDateFormsGiveTheDelayToThatInstant) {
  auto now = std::chrono::system_clock::from_time_t(1445412473);  // 07:27:53 GMT
  using std::chrono::milliseconds;
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), milliseconds(7000));
  EXPECT_EQ(parse_retry_after("Wednesday, 21-Oct-15 07:28:00 GMT", now), milliseconds(7000));
  EXPECT_EQ(parse_retry_after("Wed Oct 21 07:28:00 2015", now), milliseconds(7000));
  // Optional whitespace around the field value is not part of it.
  EXPECT_EQ(parse_retry_after("  Wed, 21 Oct 2015 07:29:03 GMT ", now), milliseconds(70000));
  // Sub-second precision of the local clock is kept: 500 ms before the date, 500 ms to wait.
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:27:54 GMT", now + milliseconds(500)),
            milliseconds(500));
}

TEST(RetryAfter, DelaySecondsAndPastDatesAndGarbage) {
  auto now = std::chrono::system_clock::from_time_t(1445412473);
  using std::chrono::milliseconds;
  EXPECT_EQ(parse_retry_after("0", now), milliseconds(0));
  EXPECT_EQ(parse_retry_after("120", now), milliseconds(120000));
  EXPECT_EQ(parse_retry_after("99999999999999999999999", now), milliseconds(86400000));
  // A date already passed means "now", in every form.
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now), milliseconds(0));
  EXPECT_EQ(parse_retry_after("Tuesday, 20-Oct-15 07:28:00 GMT", now), milliseconds(0));
  EXPECT_EQ(parse_retry_after("Thu Jan  1 00:00:00 1970", now), milliseconds(0));
  EXPECT_EQ(parse_retry_after("Mon, 01 Jan 1900 00:00:00 GMT", now), milliseconds(0));
  // Far future: bounded to a day (the caller caps it further), no clock overflow.
  EXPECT_EQ(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now), milliseconds(86400000));
  for (const char* bad : {"", "   ", "soon", "-5", "1.5", "12 seconds", "tomorrow",
                          "Wed, 99 Foo 2015 07:28:00 GMT", ")(*&^%$#@!"}) {
    EXPECT_EQ(parse_retry_after(bad, now), std::nullopt) << bad;
  }
  EXPECT_EQ(parse_retry_after(std::string(200, '1'), now), std::nullopt);  // bounded
}

TEST(Client, RetryAfterHttpDateIsMeasuredOnTheInjectedClockAndCapped) {
  auto t = std::make_shared<ScriptedTransport>();
  int calls = 0;
  t->answer = [&](const HttpRequest&) {
    ++calls;
    // The clock says 07:27:53 GMT.
    if (calls == 1) return response(429, "", {{"retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"}});
    if (calls == 2) return response(429, "", {{"retry-after", "Wed Oct 21 07:28:03 2015"}});
    if (calls == 3)
      return response(503, "", {{"retry-after", "Wednesday, 21-Oct-15 09:00:00 GMT"}});
    if (calls == 4) return response(429, "", {{"retry-after", "Tue, 20 Oct 2015 00:00:00 GMT"}});
    if (calls == 5) return response(429, "", {{"retry-after", "after lunch"}});
    return response(200, kManifest,
                    {{"content-type", "application/vnd.oci.image.manifest.v1+json"}});
  };
  auto clock = std::make_shared<RecordingClock>();
  auto o = options(t, clock);
  o.max_retries = 5;
  o.initial_backoff = std::chrono::milliseconds(100);
  o.max_backoff = std::chrono::milliseconds(60000);
  Client c("reg.example", o);
  auto m = c.get_manifest("a/b", "1");
  ASSERT_TRUE(m.ok()) << m.error().message();
  ASSERT_EQ(clock->sleeps.size(), 5U);
  EXPECT_EQ(clock->sleeps[0], std::chrono::milliseconds(7000));   // IMF-fixdate
  EXPECT_EQ(clock->sleeps[1], std::chrono::milliseconds(10000));  // asctime
  EXPECT_EQ(clock->sleeps[2], std::chrono::milliseconds(60000));  // RFC 850, capped
  EXPECT_EQ(clock->sleeps[3], std::chrono::milliseconds(0));      // in the past: now
  EXPECT_EQ(clock->sleeps[4], std::chrono::milliseconds(1600));   // garbage: 100 ms * 2^4
}

// distribution docs/spec/auth/oauth.md: an identity token is a refresh token, traded for an
// access token with a form POST (grant_type=refresh_token, service, client_id, scope).
TEST(Client, IdentityTokenIsTradedWithAnOAuth2FormPostNotSentAsAPassword) {
  auto t = std::make_shared<ScriptedTransport>();
  t->answer = [](const HttpRequest& req) {
    if (req.url == "https://auth.example/token") {
      if (req.method != "POST") return response(405);
      return response(200, R"({"access_token":"acc-1","expires_in":900,"scope":""})");
    }
    if (req.bearer_token == std::optional<std::string>("acc-1"))
      return response(200, kManifest,
                      {{"content-type", "application/vnd.oci.image.manifest.v1+json"}});
    return response(
        401, "",
        {{"www-authenticate",
          R"(Bearer realm="https://auth.example/token",service="reg.example",scope="x")"}});
  };
  auto o = options(t, std::make_shared<RecordingClock>());
  o.credentials.explicit_credential = Credential{"<token>", "r3fresh/tok+en=", "test", true};
  Client c("reg.example", o);
  auto m = c.get_manifest("team/app", "1");
  ASSERT_TRUE(m.ok()) << m.error().message();
  std::vector<HttpRequest> posts;
  for (const auto& req : t->seen) {
    EXPECT_FALSE(req.basic_auth.has_value()) << req.url;  // never as a password
    if (req.method == "POST") posts.push_back(req);
  }
  ASSERT_EQ(posts.size(), 1U);
  EXPECT_EQ(posts[0].body,
            "grant_type=refresh_token&refresh_token=r3fresh%2Ftok%2Ben%3D&service=reg.example"
            "&client_id=bulwark&scope=repository%3Ateam%2Fapp%3Apull");
  bool form = false;
  for (const auto& [k, v] : posts[0].headers)
    form |= k == "Content-Type" && v == "application/x-www-form-urlencoded";
  EXPECT_TRUE(form);
  // Several scopes go in one space-separated scope parameter.
  (void)c.mount_blob("team/app", "other/repo", core::Digest::of("x"));
  std::string last_post;
  for (const auto& req : t->seen)
    if (req.method == "POST" && req.url == "https://auth.example/token") last_post = req.body;
  EXPECT_NE(last_post.find("&scope=repository%3Ateam%2Fapp%3Apull%2Cpush%20repository%3Aother%2F"
                           "repo%3Apull"),
            std::string::npos)
      << last_post;
}

TEST(Client, IdentityTokenAgainstATokenServiceWithoutOAuthOrABasicRegistryIsAClearError) {
  auto t = std::make_shared<ScriptedTransport>();
  t->answer = [](const HttpRequest& req) {
    if (req.url.starts_with("https://auth.example/")) return response(404);
    if (req.url.starts_with("https://basic.example/"))
      return response(401, "", {{"www-authenticate", R"(Basic realm="r")"}});
    return response(401, "",
                    {{"www-authenticate", R"(Bearer realm="https://auth.example/token")"}});
  };
  auto o = options(t, std::make_shared<RecordingClock>());
  o.credentials.explicit_credential = Credential{"<token>", "r3fresh", "test", true};
  Client c("reg.example", o);
  auto m = c.get_manifest("a/b", "1");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code(), core::ErrorCode::kUnsupported);
  EXPECT_NE(m.error().message().find("does not accept OAuth2 POST"), std::string::npos)
      << m.error().message();
  EXPECT_EQ(m.error().message().find("r3fresh"), std::string::npos);
  Client basic("basic.example", o);
  auto b = basic.get_manifest("a/b", "1");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().message().find("identity token"), std::string::npos) << b.error().message();
  for (const auto& req : t->seen) EXPECT_FALSE(req.basic_auth.has_value());
}

// oauth.md: a token service without OAuth2 refuses the POST (404; 405 and 400 seen too); the
// GET flow then takes the password kept beside the identity token, for the rest of the run.
TEST(Client, RefusedOAuthPostFallsBackToTheGetFlowWithThePasswordOnceForTheRun) {
  for (long refusal : {400L, 404L, 405L}) {
    SCOPED_TRACE(refusal);
    auto t = std::make_shared<ScriptedTransport>();
    t->answer = [refusal](const HttpRequest& req) {
      if (req.url.starts_with("https://auth.example/token")) {
        if (req.method == "POST") return response(refusal, R"({"error":"unsupported_grant_type"})");
        if (req.basic_auth ==
            std::make_optional(std::make_pair(std::string("bob"), std::string("pw"))))
          return response(200, R"({"token":"acc-get","expires_in":900})");
        return response(401);
      }
      if (req.bearer_token == std::optional<std::string>("acc-get"))
        return response(200, kManifest,
                        {{"content-type", "application/vnd.oci.image.manifest.v1+json"}});
      return response(401, "",
                      {{"www-authenticate",
                        R"(Bearer realm="https://auth.example/token",service="reg.example")"}});
    };
    auto o = options(t, std::make_shared<RecordingClock>());
    Credential cred{"bob", "idt-secret", "test", true};
    cred.password = "pw";
    o.credentials.explicit_credential = cred;
    Client c("reg.example", o);
    ASSERT_TRUE(c.get_manifest("team/app", "1").ok());
    ASSERT_TRUE(c.get_manifest("other/app", "1").ok());  // another scope: GET straight away
    int posts = 0;
    int gets = 0;
    for (const auto& req : t->seen) {
      if (!req.url.starts_with("https://auth.example/")) continue;
      if (req.method == "POST") ++posts;
      if (req.method == "GET") ++gets;
      if (req.basic_auth) {
        EXPECT_EQ(req.basic_auth->second, "pw");  // never the identity token
      }
    }
    EXPECT_EQ(posts, 1);
    EXPECT_EQ(gets, 2);
  }
}

// RFC 6749 §6: a refresh may return a new refresh token; later POSTs of the run carry it.
TEST(Client, RefreshTokenIssuedByTheServiceReplacesTheIdentityToken) {
  auto t = std::make_shared<ScriptedTransport>();
  int issued = 0;
  t->answer = [&](const HttpRequest& req) {
    if (req.url == "https://auth.example/token") {
      ++issued;
      return response(200, R"({"access_token":"acc-)" + std::to_string(issued) +
                               R"(","expires_in":900,"refresh_token":"rot-)" +
                               std::to_string(issued) + R"("})");
    }
    if (req.bearer_token && req.bearer_token->starts_with("acc-"))
      return response(200, kManifest,
                      {{"content-type", "application/vnd.oci.image.manifest.v1+json"}});
    return response(401, "",
                    {{"www-authenticate",
                      R"(Bearer realm="https://auth.example/token",service="reg.example")"}});
  };
  auto o = options(t, std::make_shared<RecordingClock>());
  o.credentials.explicit_credential = Credential{"<token>", "idt-0", "test", true};
  Client c("reg.example", o);
  ASSERT_TRUE(c.get_manifest("a/one", "1").ok());
  ASSERT_TRUE(c.get_manifest("a/two", "1").ok());
  ASSERT_TRUE(c.get_manifest("a/three", "1").ok());
  std::vector<std::string> bodies;
  for (const auto& req : t->seen)
    if (req.method == "POST") bodies.push_back(req.body);
  ASSERT_EQ(bodies.size(), 3U);
  EXPECT_TRUE(bodies[0].starts_with("grant_type=refresh_token&refresh_token=idt-0&"));
  EXPECT_TRUE(bodies[1].starts_with("grant_type=refresh_token&refresh_token=rot-1&"));
  EXPECT_TRUE(bodies[2].starts_with("grant_type=refresh_token&refresh_token=rot-2&"));
}

TEST(Credentials, DockerConfigIdentityTokenIsMarkedAsOne) {
  testing::TempDir tmp;
  CredentialOptions o;
  o.use_environment = false;
  o.docker_config_path = tmp.str() + "/config.json";
  testing::write_file(o.docker_config_path,
                      R"({"auths":{"reg.example":{"auth":"Ym9iOg==","identitytoken":"idt-1"},)"
                      R"("plain.example":{"auth":"Ym9iOnB3"}}})");
  auto c = find_credential("reg.example", o);
  ASSERT_TRUE(c.ok()) << c.error().message();
  ASSERT_TRUE(c->has_value());
  EXPECT_TRUE((*c)->identity_token);
  EXPECT_EQ((*c)->secret, "idt-1");
  EXPECT_EQ((*c)->username, "bob");
  auto p = find_credential("plain.example", o);
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_FALSE((*p)->identity_token);
  EXPECT_EQ((*p)->secret, "pw");
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
