// Every Dockerfile rule with a Dockerfile that triggers it and one that does not. The table is
// checked against the rule list, so a new rule without cases fails this test.
#include <gtest/gtest.h>

#include <set>

#include "misconfig/dockerfile/rules.hpp"
#include "misconfig/secret_hint.hpp"

namespace bulwark::misconfig::dockerfile {
namespace {

struct Case {
  std::string_view id;
  std::string_view fires;
  std::string_view clean;
};

const Case kCases[] = {
    {"BW-DF-001", "FROM debian:12\nUSER root\n", "FROM debian:12\nUSER root\nRUN x\nUSER 1000\n"},
    {"BW-DF-001", "FROM debian:12 AS base\nUSER 0:0\nFROM base\nRUN x\n",
     "FROM debian:12 AS base\nUSER root\nFROM base\nUSER app\n"},
    {"BW-DF-002", "FROM debian:12\nRUN true\n",
     "FROM debian:12 AS base\nUSER app\nFROM base\nRUN true\n"},
    {"BW-DF-002", "FROM golang:1.22 AS build\nUSER app\nFROM debian:12\nCOPY --from=build /a /a\n",
     "FROM debian:12\nUSER nobody\n"},
    {"BW-DF-003", "FROM nginx:latest\n", "FROM nginx:1.25\n"},
    {"BW-DF-004", "FROM nginx\n", "FROM scratch\n"},
    {"BW-DF-004", "FROM registry.local:5000/team/app\n", "FROM registry.local:5000/team/app:2\n"},
    {"BW-DF-005", "FROM nginx:1.25\n",
     "FROM nginx:1.25@sha256:4b1d9e8d7c6b5a49382716f5e4d3c2b1a09f8e7d6c5b4a3928171605f4e3d2c1\n"},
    {"BW-DF-006", "FROM a:1\nADD https://example.com/app.tgz /opt/\n",
     "FROM a:1\nADD "
     "--checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d "
     "https://example.com/app.tgz /opt/\n"},
    {"BW-DF-007", "FROM a:1\nADD app.py /app/\n", "FROM a:1\nADD rootfs.tar.gz /\n"},
    {"BW-DF-008", "FROM a:1\nRUN apt-get update && apt-get install curl\n",
     "FROM a:1\nRUN apt-get update && apt-get install -qy curl\n"},
    {"BW-DF-008", "FROM a:1\nRUN apt-get -q install curl\n",
     "FROM a:1\nRUN DEBIAN_FRONTEND=noninteractive apt-get install --yes curl\n"},
    {"BW-DF-009", "FROM a:1\nRUN apt-get install -y curl\n",
     "FROM a:1\nRUN apt-get install -y --no-install-recommends curl\n"},
    {"BW-DF-010", "FROM a:1\nRUN apt-get update && apt-get install -y curl\n",
     "FROM a:1\nRUN apt-get update && apt-get install -y curl \\\n && rm -rf "
     "/var/lib/apt/lists/*\n"},
    {"BW-DF-010", "FROM a:1\nRUN apt-get install -y curl\nRUN rm -rf /var/lib/apt/lists/*\n",
     "FROM a:1\nRUN --mount=type=cache,target=/var/lib/apt apt-get install -y curl\n"},
    {"BW-DF-011", "FROM a:1\nRUN apt-get install -y curl=7.88.1-10 git\n",
     "FROM a:1\nRUN apt-get install -y curl=7.88.1-10 ./local.deb\n"},
    {"BW-DF-012", "FROM a:1\nRUN apt-get update && apt-get -y dist-upgrade\n",
     "FROM a:1\nRUN yum update -y openssl\n"},
    {"BW-DF-012", "FROM alpine:3.19\nRUN apk upgrade --no-cache\n",
     "FROM a:1\nRUN apt-get update\n"},
    {"BW-DF-013", "FROM alpine:3.19\nRUN apk add curl\n",
     "FROM alpine:3.19\nRUN apk add --no-cache curl\n"},
    {"BW-DF-014", "FROM rockylinux:9\nRUN yum install httpd && yum clean all\n",
     "FROM rockylinux:9\nRUN dnf -y install httpd && dnf clean all\n"},
    {"BW-DF-015", "FROM rockylinux:9\nRUN yum install -y httpd\n",
     "FROM rockylinux:9\nRUN yum install -y httpd && yum clean all\n"},
    {"BW-DF-016", "FROM a:1\nRUN sudo make install\n",
     "FROM a:1\nRUN make install # sudo is not needed\n"},
    {"BW-DF-017", "FROM a:1\nRUN curl -sSL https://get.example.com/install.sh | bash\n",
     "FROM a:1\nRUN curl -sSLo /tmp/i.sh https://get.example.com/i.sh && sha256sum -c /sums && sh "
     "/tmp/i.sh\n"},
    {"BW-DF-017", "FROM a:1\nRUN sh -c \"$(wget -qO- https://get.example.com)\"\n",
     "FROM a:1\nRUN wget -qO- https://example.com/data.json | jq .\n"},
    {"BW-DF-017",
     "FROM a:1\nRUN <<EOF\nset -e\nwget -O - https://x.example/i | sudo sh -s -- -y\nEOF\n",
     "FROM a:1\nRUN <<EOF\nset -e\ncurl -fsSLO https://x.example/i.tgz\nEOF\n"},
    {"BW-DF-018", "FROM a:1\nENV DB_PASSWORD=Zq8vLmT2pXw9\n",
     "FROM a:1\nENV DB_PASSWORD_FILE=/run/secrets/db\n"},
    {"BW-DF-018", "FROM a:1\nARG GITHUB_TOKEN=ghp_aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5\n",
     "FROM a:1\nARG GITHUB_TOKEN\nENV TOKEN=$GITHUB_TOKEN\n"},
    {"BW-DF-018", "FROM a:1\nLABEL aws_key=AKIAIOSFODNN7ABCDEFG\n",
     "FROM a:1\nLABEL org.opencontainers.image.title=\"api token service\"\n"},
    {"BW-DF-019", "FROM a:1\nEXPOSE 80 22/tcp\n", "FROM a:1\nEXPOSE 2222 8022\n"},
    {"BW-DF-019", "FROM a:1\nEXPOSE 20-30\n", "FROM a:1\nEXPOSE 23-80\n"},
    {"BW-DF-020", "FROM a:1\nCMD [\"x\"]\n",
     "FROM a:1\nHEALTHCHECK --interval=30s CMD curl -f http://localhost/ || exit 1\n"},
    {"BW-DF-021", "FROM a:1\nRUN mkdir /data && chmod 777 /data\n",
     "FROM a:1\nRUN mkdir /data && chmod 755 /data\n"},
    {"BW-DF-021", "FROM a:1\nRUN chmod -R a+rwx /srv\n", "FROM a:1\nRUN chmod 1777 /scratch\n"},
    {"BW-DF-022", "FROM a:1\nCMD [\"a\"]\nCMD [\"b\"]\n",
     "FROM a:1 AS one\nCMD [\"a\"]\nFROM a:1\nCMD [\"b\"]\n"},
    {"BW-DF-023", "FROM a:1\nENTRYPOINT [\"a\"]\nENTRYPOINT [\"b\"]\n",
     "FROM a:1\nENTRYPOINT [\"a\"]\nCMD [\"b\"]\n"},
    {"BW-DF-024", "FROM a:1\nWORKDIR app\n", "FROM a:1\nENV DIR=/srv\nWORKDIR $DIR/app\n"},
    {"BW-DF-025", "FROM a:1\nRUN cd /src && make\n", "FROM a:1\nWORKDIR /src\nRUN make\n"},
    {"BW-DF-026", "FROM a:1\nMAINTAINER Jane <jane@example.com>\n",
     "FROM a:1\nLABEL org.opencontainers.image.authors=\"jane@example.com\"\n"},
    {"BW-DF-027", "FROM a:1 AS build\nFROM b:1\nCOPY --from=biuld /out /out\n",
     "FROM a:1 AS build\nFROM b:1\nCOPY --from=build /out /out\n"},
    {"BW-DF-027", "FROM a:1\nFROM b:1\nCOPY --from=1 /x /x\n",
     "FROM a:1\nFROM b:1\nCOPY --from=0 /x /x\nCOPY --from=nginx:1.25 /etc/nginx /etc/nginx\n"},
    {"BW-DF-027", "FROM a:1 AS self\nCOPY --from=self /x /y\n",
     "FROM a:1\nCOPY --from=docker.io/library/busybox /bin/sh /sh\n"},
    {"BW-DF-028", "FROM a:1 AS build\nFROM b:1 AS BUILD\n",
     "FROM a:1 AS build\nFROM b:1 AS test\n"},
    {"BW-DF-029", "FROM python:3.12\nRUN pip install flask\n",
     "FROM python:3.12\nRUN pip install --no-cache-dir flask\n"},
    {"BW-DF-029", "FROM python:3.12\nRUN python3 -m pip install flask\n",
     "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN pip3 install flask\n"},
    {"BW-DF-030", "FROM a:1\nCMD python app.py\n", "FROM a:1\nCMD [\"python\", \"app.py\"]\n"},
    {"BW-DF-031", "FROM a:1\nEXPOSE 70000\n", "FROM a:1\nEXPOSE 8080/udp 9000-9010\n"},
    {"BW-DF-031", "FROM a:1\nEXPOSE 90-80\n", "FROM a:1\nARG P=80\nEXPOSE $P\n"},
    {"BW-DF-032", "FROM a:1\nRUN apt install -y curl\n", "FROM a:1\nRUN apt-get install -y curl\n"},
    {"BW-DF-033", "FROM a:1\nCOPY a.txt b.txt /dst\n", "FROM a:1\nCOPY a.txt b.txt /dst/\n"},
    {"BW-DF-034", "FROM --platform=linux/amd64 debian:12\n",
     "FROM --platform=$BUILDPLATFORM golang:1.22\n"},
    {"BW-DF-035", "FROM a:1\nRUN useradd -u 123456789 app\n",
     "FROM a:1\nRUN useradd -l -u 123456789 app\n"},
    {"BW-DF-037", "FROM a:1\nRUN wget -O - https://x/k.asc | gpg --import\n",
     "FROM a:1\nRUN set -eo pipefail && wget -O - https://x/k.asc | gpg --import\n"},
    {"BW-DF-037", "FROM a:1\nRUN curl -s x | tar xz\n",
     "FROM a:1\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN curl -s x | tar xz\n"},
    {"BW-DF-038", "FROM alpine:3.19\nRUN apk add --no-cache curl=8.5.0-r0 git\n",
     "FROM alpine:3.19\nRUN apk add --no-cache --virtual .deps curl=8.5.0-r0 git~2.43\n"},
    {"BW-DF-039", "FROM a:1\nCOPY . app/\n", "FROM a:1\nWORKDIR /srv\nCOPY . app/\n"},
    {"BW-DF-039", "FROM a:1 AS b\nFROM b\nCOPY x y\n",
     "FROM a:1 AS b\nWORKDIR /w\nFROM b\nCOPY x y\n"},
    {"BW-DF-040", "FROM a:1\nRUN ln -sf /bin/bash /bin/sh\n",
     "FROM a:1\nSHELL [\"/bin/bash\", \"-c\"]\nRUN ln -sf /usr/bin/python3 "
     "/usr/local/bin/python\n"},
    {"BW-DF-036", "FROM a:1\nRUN curl -o a https://x\nRUN wget https://y\n",
     "FROM a:1\nRUN curl -o a https://x && curl -o b https://y\n"},
    {"BW-DF-041", "FROM a:1\nRUN apt-get update\nRUN apt-get install -y curl\n",
     "FROM a:1\nRUN apt-get update && apt-get install -y curl\n"},
    {"BW-DF-041", "FROM alpine:3.19\nRUN apk update\nRUN apk add curl\n",
     "FROM alpine:3.19\nRUN apk update && apk upgrade\n"},
};

std::vector<Issue> run(std::string_view text) {
  auto df = parse(text, "Dockerfile");
  EXPECT_TRUE(df.ok()) << (df.ok() ? "" : df.error().message());
  return df.ok() ? check(*df, "Dockerfile") : std::vector<Issue>{};
}

bool fires(const std::vector<Issue>& issues, std::string_view id) {
  for (const auto& i : issues) {
    if (i.rule->id == id) return true;
  }
  return false;
}

TEST(DockerfileRules, EveryCaseFiresAndItsCleanTwinDoesNot) {
  for (const auto& c : kCases) {
    EXPECT_TRUE(fires(run(c.fires), c.id)) << c.id << " should fire on:\n" << c.fires;
    EXPECT_FALSE(fires(run(c.clean), c.id)) << c.id << " should not fire on:\n" << c.clean;
  }
}

TEST(DockerfileRules, EveryRuleHasCases) {
  std::set<std::string_view> covered;
  for (const auto& c : kCases) covered.insert(c.id);
  for (const auto& r : rules()) EXPECT_TRUE(covered.contains(r.id)) << r.id << " has no test case";
  EXPECT_EQ(covered.size(), rules().size());
}

TEST(DockerfileRules, RuleIdsAreUniqueAndMetadataComplete) {
  std::set<std::string_view> ids;
  for (const auto& r : rules()) {
    EXPECT_TRUE(ids.insert(r.id).second) << r.id;
    EXPECT_FALSE(r.title.empty());
    EXPECT_FALSE(r.fix.empty());
    EXPECT_TRUE(r.id.starts_with("BW-DF-"));
  }
}

TEST(DockerfileRules, FindingsCarryTheInstructionLine) {
  auto issues =
      run("# syntax=docker/dockerfile:1\nFROM debian:12\n\nRUN apt-get update \\\n"
          "  && apt-get install -y --no-install-recommends curl\nUSER root\n");
  std::map<std::string_view, int> line;
  for (const auto& i : issues) line[i.rule->id] = i.line;
  EXPECT_EQ(line["BW-DF-010"], 4);
  EXPECT_EQ(line["BW-DF-011"], 4);
  EXPECT_EQ(line["BW-DF-001"], 6);
  EXPECT_EQ(line["BW-DF-005"], 2);
  EXPECT_EQ(line["BW-DF-020"], 2);
}

TEST(DockerfileRules, HardenedMultiStageDockerfileIsClean) {
  std::string text = R"(# syntax=docker/dockerfile:1.7
ARG GO=1.22.5
FROM --platform=$BUILDPLATFORM golang:${GO}@sha256:4b1d9e8d7c6b5a49382716f5e4d3c2b1a09f8e7d6c5b4a3928171605f4e3d2c1 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/root/.cache/go-build go build -o /out/app ./cmd/app
FROM debian:12.6-slim@sha256:4b1d9e8d7c6b5a49382716f5e4d3c2b1a09f8e7d6c5b4a3928171605f4e3d2c1
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates=20230311 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/app /usr/local/bin/app
USER 10001:10001
EXPOSE 8080
HEALTHCHECK CMD ["/usr/local/bin/app", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/app"]
)";
  auto issues = run(text);
  for (const auto& i : issues)
    ADD_FAILURE() << i.rule->id << " line " << i.line << ": " << i.message;
}

TEST(DockerfileRules, SecretEvidenceIsRedacted) {
  auto issues = run("FROM a:1\nENV API_KEY=Zq8vLmT2pXw9Yt\n");
  ASSERT_TRUE(fires(issues, "BW-DF-018"));
  for (const auto& i : issues) EXPECT_EQ(i.message.find("Zq8vLmT2pXw9Yt"), std::string::npos);
}

}  // namespace
}  // namespace bulwark::misconfig::dockerfile

namespace bulwark::misconfig {
namespace {

TEST(SecretHint, KnownShapesAndSecretNamesWithEntropy) {
  EXPECT_TRUE(secret_reason("ANYTHING", "AKIAIOSFODNN7ABCDEFG").has_value());
  EXPECT_TRUE(secret_reason("X", "-----BEGIN OPENSSH PRIVATE KEY-----").has_value());
  EXPECT_TRUE(secret_reason("SLACK", "xoxb-123456789012-abcdefghij").has_value());
  EXPECT_TRUE(secret_reason("db_password", "\"Zq8vLmT2pXw9\"").has_value());
  EXPECT_FALSE(secret_reason("DB_PASSWORD", "aaaaaaaa").has_value());  // low entropy
  EXPECT_FALSE(secret_reason("DB_PASSWORD", "short").has_value());
  EXPECT_FALSE(secret_reason("DB_PASSWORD", "changeme123").has_value());
  EXPECT_FALSE(secret_reason("API_TOKEN_URL", "https://auth.example.com/token").has_value());
  EXPECT_FALSE(secret_reason("OAUTH_TOKEN_ENDPOINT", "https://auth.example.com/t").has_value());
  EXPECT_TRUE(secret_reason("DATABASE_SECRET", "postgres://u:Zq8vLmT2@db/x").has_value());
  EXPECT_FALSE(secret_reason("LOG_LEVEL", "Zq8vLmT2pXw9").has_value());
  EXPECT_EQ(redact("Zq8vLmT2pXw9"), "Zq8v****");
  EXPECT_EQ(redact("abc"), "***");
  EXPECT_NEAR(shannon_entropy("abab"), 1.0, 1e-9);
}

}  // namespace
}  // namespace bulwark::misconfig
