// Compose checks: each rule with a service that violates it and one that does not, in the
// short and long syntaxes of the Compose Specification.
#include <gtest/gtest.h>

#include <set>

#include "misconfig/compose/rules.hpp"

namespace bulwark::misconfig::compose {
namespace {

// A service that passes every rule; {X} is replaced by the case's lines (4-space indent).
constexpr std::string_view kTemplate = R"(services:
  web:
    image: nginx:1.25
    user: "101:101"
    ports:
      - "127.0.0.1:8080:80"
    deploy:
      resources:
        limits: {cpus: "0.5", memory: 256M}
{X}
volumes:
  data: {}
)";

std::string with(std::string_view lines) {
  std::string s(kTemplate);
  s.replace(s.find("{X}\n"), 4, std::string(lines));
  return s;
}

// The hardened service with one text replacement.
std::string sub(std::string_view from, std::string_view to) {
  std::string s = with("");
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

struct Case {
  std::string_view id;
  std::string fires;
  std::string clean;
};

std::vector<Case> cases() {
  return {
      {"BW-DC-001", with("    privileged: true\n"), with("    privileged: false\n")},
      {"BW-DC-002", with("    network_mode: host\n"), with("    network_mode: bridge\n")},
      {"BW-DC-002", with("    pid: \"host\"\n"), with("    pid: \"service:db\"\n")},
      {"BW-DC-003", with("    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock:ro\n"),
       with("    volumes:\n      - data:/var/lib/data\n      - ./conf:/etc/nginx/conf.d:ro\n")},
      {"BW-DC-003",
       with("    volumes:\n      - type: bind\n        source: /run/containerd/containerd.sock\n   "
            "     target: /c.sock\n"),
       with("    volumes:\n      - type: volume\n        source: data\n        target: /data\n")},
      {"BW-DC-004", "services:\n  web:\n    image: nginx:1.25\n", with("")},
      {"BW-DC-004", sub("\"101:101\"", "root"), with("")},
      {"BW-DC-005",
       "services:\n  web:\n    image: nginx:1.25\n    user: \"1\"\n    mem_limit: 256m\n",
       "services:\n  web:\n    image: nginx:1.25\n    mem_limit: 256m\n    cpus: 0.5\n"},
      {"BW-DC-006", sub("\"127.0.0.1:8080:80\"", "\"8080:80\""), with("")},
      {"BW-DC-006", sub("\"127.0.0.1:8080:80\"", "\"0.0.0.0:8443:443/tcp\""),
       sub("\"127.0.0.1:8080:80\"", "\"[::1]:8443:443\"")},
      {"BW-DC-006",
       sub("      - \"127.0.0.1:8080:80\"\n",
           "      - target: 80\n        published: \"8080\"\n        protocol: tcp\n"),
       sub("      - \"127.0.0.1:8080:80\"\n",
           "      - target: 80\n        host_ip: 127.0.0.1\n        published: \"8080\"\n")},
      {"BW-DC-007", with("    cap_add: [SYS_ADMIN]\n"), with("    cap_add: [NET_BIND_SERVICE]\n")},
      {"BW-DC-008", with("    security_opt:\n      - seccomp:unconfined\n"),
       with("    security_opt:\n      - no-new-privileges:true\n")},
      {"BW-DC-009", with("    environment:\n      POSTGRES_PASSWORD: Zq8vLmT2pXw9\n"),
       with("    environment:\n      POSTGRES_PASSWORD_FILE: /run/secrets/db\n")},
      {"BW-DC-009",
       with("    environment:\n      - GITHUB_TOKEN=ghp_aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5\n"),
       with("    environment:\n      - GITHUB_TOKEN=${GITHUB_TOKEN}\n")},
  };
}

std::vector<Issue> run(const std::string& yaml) {
  auto docs = load_yaml(yaml, "compose.yaml");
  EXPECT_TRUE(docs.ok()) << (docs.ok() ? "" : docs.error().message()) << "\n" << yaml;
  return docs.ok() ? check(*docs, "compose.yaml") : std::vector<Issue>{};
}

bool fires(const std::vector<Issue>& issues, std::string_view id) {
  for (const auto& i : issues) {
    if (i.rule->id == id) return true;
  }
  return false;
}

TEST(ComposeRules, HardenedServicePassesEveryRule) {
  for (const auto& i : run(with(""))) ADD_FAILURE() << i.rule->id << ": " << i.message;
}

TEST(ComposeRules, EveryCaseFiresAndItsCleanTwinDoesNot) {
  for (const auto& c : cases()) {
    EXPECT_TRUE(fires(run(c.fires), c.id)) << c.id << " should fire on:\n" << c.fires;
    EXPECT_FALSE(fires(run(c.clean), c.id)) << c.id << " should not fire on:\n" << c.clean;
  }
}

TEST(ComposeRules, EveryRuleHasCases) {
  std::set<std::string_view> covered;
  for (const auto& c : cases()) covered.insert(c.id);
  for (const auto& r : rules()) EXPECT_TRUE(covered.contains(r.id)) << r.id << " has no case";
}

TEST(ComposeRules, FindingsNameServicePathAndLine) {
  auto issues = run(with("    privileged: true\n"));
  ASSERT_TRUE(fires(issues, "BW-DC-001"));
  for (const auto& i : issues) {
    if (i.rule->id != "BW-DC-001") continue;
    EXPECT_EQ(i.path, "services.web.privileged");
    EXPECT_EQ(i.line, 10);
    EXPECT_EQ(i.message, "service web: privileged: true");
  }
}

TEST(ComposeRules, ExtensionFieldsAndMergeKeysAreResolved) {
  auto issues = run(R"(x-common: &common
  privileged: true
  network_mode: host
services:
  a:
    <<: *common
    image: busybox:1.36
  b:
    image: busybox:1.36
)");
  int priv = 0;
  for (const auto& i : issues) priv += i.rule->id == "BW-DC-001" ? 1 : 0;
  EXPECT_EQ(priv, 1);
}

TEST(ComposeDetection, RecognisesComposeByContent) {
  auto yes = load_yaml("services:\n  db:\n    image: postgres:16\n", "x");
  ASSERT_TRUE(yes.ok());
  EXPECT_TRUE(is_compose(yes->at(0).root));
  auto no = load_yaml("services: [a, b]\n", "x");
  ASSERT_TRUE(no.ok());
  EXPECT_FALSE(is_compose(no->at(0).root));
  auto k8s = load_yaml("apiVersion: v1\nkind: Service\nservices:\n  a: {}\n", "x");
  ASSERT_TRUE(k8s.ok());
  EXPECT_FALSE(is_compose(k8s->at(0).root));
}

}  // namespace
}  // namespace bulwark::misconfig::compose
