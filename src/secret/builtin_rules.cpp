// The built-in secret rules. Each regex was written from the provider's public description of
// its token format (prefix, alphabet, length); where a format has no distinctive prefix the rule
// requires the provider's name next to an assignment. Patterns must be accepted by both
// Vectorscan (the one-pass scan) and PCRE2 (capture extraction): no lookaround, no backrefs.
// Widths are fixed where the format allows, so that a match ends at one offset only.
#include "secret/rules.hpp"

namespace bulwark::secret {

namespace {

using report::Severity;

// `name ... = "value"` in env files, YAML, JSON, INI, code: the separator and optional quotes.
const std::string kAssign = R"re(["']?\s{0,4}(?:=|:|=>|:=)\s{0,4}["']?)re";
// The end of a token: a character that cannot continue it, or the end of the line.
const std::string kEnd = R"re((?:[^A-Za-z0-9_+/=.-]|$))re";
const std::string kUuid = R"re([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})re";

// A value that is only recognisable by the provider name before it.
std::string named(const std::string& name, const std::string& what, const std::string& value) {
  return "(?i)\\b" + name + "[\\w.-]{0,20}" + what + "[\\w.-]{0,10}" + kAssign + "(" + value + ")" +
         kEnd;
}

std::string pem(const std::string& label) {
  return "-----BEGIN " + label + "-----[\\r\\n]{1,2}([A-Za-z0-9+/=]{40})";
}

Rule rule(std::string id, std::string title, std::string category, Severity severity,
          std::string regex, std::vector<std::string> keywords, double entropy,
          std::string example) {
  Rule r;
  r.id = std::move(id);
  r.title = std::move(title);
  r.category = std::move(category);
  r.severity = severity;
  r.regex = std::move(regex);
  r.keywords = std::move(keywords);
  r.entropy = entropy;
  r.example = std::move(example);
  return r;
}

std::vector<Rule> make_rules() {
  const auto C = Severity::kCritical;
  const auto H = Severity::kHigh;
  const auto M = Severity::kMedium;
  const auto L = Severity::kLow;
  std::vector<Rule> v;
  auto add = [&v](Rule r) { v.push_back(std::move(r)); };

  // --- cloud providers
  add(rule("aws-access-key-id", "AWS access key ID", "cloud", C,
           R"re(\b((?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b)re", {"akia", "asia", "abia", "acca"},
           3.0, "key_id: AKIA{Z:16}"));
  add(rule("aws-secret-access-key", "AWS secret access key", "cloud", C,
           "(?i)\\baws_?secret_?(?:access_?)?key" + kAssign + "([A-Za-z0-9/+]{40})" + kEnd,
           {"aws_secret"}, 4.0, "aws_secret_access_key = {b:40}"));
  add(rule("aws-session-token", "AWS session token", "cloud", H,
           "(?i)\\baws_?session_?token" + kAssign + "([A-Za-z0-9/+=]{100})", {"aws_session"}, 4.0,
           "aws_session_token = {b:300}"));
  add(rule("aws-mws-key", "Amazon MWS auth token", "cloud", H, "\\bamzn\\.mws\\." + kUuid + "\\b",
           {"amzn.mws"}, 3.0, "amzn.mws.{h:8}-{h:4}-{h:4}-{h:4}-{h:12}"));
  add(rule("gcp-api-key", "Google Cloud API key", "cloud", H, R"re(\bAIza[0-9A-Za-z_-]{35})re",
           {"aiza"}, 3.0, "key=AIza{B:35}"));
  add(rule("gcp-service-account-key", "Google Cloud service account private key", "cloud", C,
           R"re("private_key"\s{0,4}:\s{0,4}"-----BEGIN PRIVATE KEY-----\\n([A-Za-z0-9+/]{40}))re",
           {"private_key"}, 4.0, R"("private_key": "-----BEGIN PRIVATE KEY-----\n{b:64}\n")"));
  add(rule("gcp-oauth-client-secret", "Google OAuth client secret", "cloud", H,
           R"re(\bGOCSPX-[A-Za-z0-9_-]{28})re", {"gocspx-"}, 3.0, "GOCSPX-{B:28}"));
  add(rule("google-oauth-access-token", "Google OAuth access token", "cloud", H,
           R"re(\bya29\.[0-9A-Za-z_-]{60})re", {"ya29."}, 3.5, "Bearer ya29.{B:120}"));
  add(rule("azure-storage-account-key", "Azure storage account key", "cloud", C,
           R"re((?i)AccountKey=([A-Za-z0-9+/]{86}==))re", {"accountkey="}, 4.0,
           "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={b:86}==;"));
  add(rule("azure-ad-client-secret", "Azure AD client secret", "cloud", H,
           R"re((?:^|[^A-Za-z0-9_~.-])([A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{34}))re", {"q~"},
           3.0, "client_secret={a:3}8Q~{a:34}"));
  add(rule(
      "azure-service-bus-key", "Azure Service Bus / Event Hubs shared access key", "cloud", H,
      R"re(Endpoint=sb://[A-Za-z0-9./-]{1,200};SharedAccessKeyName=[^;\s]{1,200};SharedAccessKey=([A-Za-z0-9+/]{43}=))re",
      {"sharedaccesskey="}, 4.0,
      "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey={b:43}="));
  add(rule("azure-devops-pat", "Azure DevOps personal access token", "vcs", H,
           named("(?:azure|ado|devops)", "(?:pat|token)", "[a-z2-7]{52}"), {"azure", "devops"}, 3.0,
           "AZURE_DEVOPS_PAT = {z:52}"));
  add(rule("digitalocean-token", "DigitalOcean API token", "cloud", H,
           R"re(\bdo[opr]_v1_[a-f0-9]{64}\b)re", {"do_v1_", "dop_v1_", "doo_v1_", "dor_v1_"}, 3.0,
           "DIGITALOCEAN_TOKEN=dop_v1_{h:64}"));
  add(rule("alibaba-access-key-id", "Alibaba Cloud AccessKey ID", "cloud", H,
           R"re(\bLTAI[A-Za-z0-9]{20}\b)re", {"ltai"}, 3.0, "LTAI{a:20}"));
  add(rule("ibm-cloud-api-key", "IBM Cloud API key", "cloud", H,
           named("ibm", "(?:api)?[_-]?key", "[A-Za-z0-9_-]{44}"), {"ibm"}, 3.5,
           "IBM_CLOUD_API_KEY: {B:44}"));
  add(rule("heroku-api-key", "Heroku API key", "cloud", H, named("heroku", "(?:key|token)", kUuid),
           {"heroku"}, 3.0, "HEROKU_API_KEY={h:8}-{h:4}-{h:4}-{h:4}-{h:12}"));
  add(rule("heroku-api-key-v2", "Heroku API key (HRKU)", "cloud", H,
           R"re(\bHRKU-[A-Za-z0-9_-]{60})re", {"hrku-"}, 3.5, "HRKU-{B:60}"));
  add(rule("cloudflare-api-token", "Cloudflare API token", "cloud", H,
           named("cloudflare", "(?:token|key)", "[A-Za-z0-9_-]{40}"), {"cloudflare"}, 3.5,
           "CLOUDFLARE_API_TOKEN={B:40}"));
  add(rule("cloudflare-origin-ca-key", "Cloudflare Origin CA key", "cloud", H,
           R"re(\bv1\.0-[a-f0-9]{24}-[a-f0-9]{146}\b)re", {"v1.0-"}, 3.0, "v1.0-{h:24}-{h:146}"));
  add(rule("linode-token", "Linode API token", "cloud", H,
           named("linode", "(?:token|key)", "[a-f0-9]{64}"), {"linode"}, 3.0,
           "LINODE_TOKEN={h:64}"));
  add(rule("vault-token", "HashiCorp Vault service/batch token", "cloud", C,
           R"re(\bhv[sb]\.[A-Za-z0-9_-]{90})re", {"hvs.", "hvb."}, 4.0, "VAULT_TOKEN=hvs.{B:95}"));
  add(rule("terraform-cloud-token", "Terraform Cloud / Enterprise API token", "cloud", H,
           R"re(\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60})re", {"atlasv1"}, 3.5,
           "token = \"{a:14}.atlasv1.{B:67}\""));
  add(rule("pulumi-token", "Pulumi access token", "cloud", H, R"re(\bpul-[a-f0-9]{40}\b)re",
           {"pul-"}, 3.0, "PULUMI_ACCESS_TOKEN=pul-{h:40}"));
  add(rule("doppler-token", "Doppler token", "cloud", H, R"re(\bdp\.pt\.[A-Za-z0-9]{43}\b)re",
           {"dp.pt."}, 3.5, "dp.pt.{a:43}"));
  add(rule("databricks-token", "Databricks API token", "cloud", H, R"re(\bdapi[a-f0-9]{32}\b)re",
           {"dapi"}, 3.0, "token: dapi{h:32}"));
  add(rule("supabase-token", "Supabase access token", "cloud", H, R"re(\bsbp_[a-f0-9]{40}\b)re",
           {"sbp_"}, 3.0, "sbp_{h:40}"));
  add(rule("planetscale-token", "PlanetScale token or password", "database", H,
           R"re(\bpscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.=-]{43})re", {"pscale_"}, 3.5,
           "pscale_pw_{B:43}"));
  add(rule("onepassword-service-account-token", "1Password service account token", "cloud", C,
           R"re(\bops_eyJ[A-Za-z0-9+/=]{100})re", {"ops_eyj"}, 4.0, "ops_eyJ{b:250}"));

  // --- version control and CI
  add(rule("github-pat", "GitHub personal access token (classic)", "vcs", C,
           R"re(\bghp_[A-Za-z0-9]{36}\b)re", {"ghp_"}, 3.0, "\"token\": \"ghp_{a:36}\""));
  add(rule("github-fine-grained-pat", "GitHub fine-grained personal access token", "vcs", C,
           R"re(\bgithub_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}\b)re", {"github_pat_"}, 3.0,
           "github_pat_{a:22}_{a:59}"));
  add(rule("github-oauth-token", "GitHub OAuth access token", "vcs", H,
           R"re(\bgho_[A-Za-z0-9]{36}\b)re", {"gho_"}, 3.0, "gho_{a:36}"));
  add(rule("github-app-token", "GitHub App user-to-server or server-to-server token", "vcs", H,
           R"re(\bgh[us]_[A-Za-z0-9]{36}\b)re", {"ghu_", "ghs_"}, 3.0, "ghs_{a:36}"));
  add(rule("github-refresh-token", "GitHub refresh token", "vcs", H,
           R"re(\bghr_[A-Za-z0-9]{36,76}\b)re", {"ghr_"}, 3.0, "ghr_{a:76}"));
  add(rule("gitlab-pat", "GitLab personal access token", "vcs", C,
           R"re(\bglpat-[A-Za-z0-9_-]{20})re", {"glpat-"}, 3.0, "GITLAB_TOKEN=glpat-{B:20}"));
  add(rule("gitlab-pipeline-trigger-token", "GitLab pipeline trigger token", "vcs", H,
           R"re(\bglptt-[a-f0-9]{40}\b)re", {"glptt-"}, 3.0, "glptt-{h:40}"));
  add(rule("gitlab-runner-registration-token", "GitLab runner registration token", "vcs", H,
           R"re(\bGR1348941[A-Za-z0-9_-]{20})re", {"gr1348941"}, 3.0, "GR1348941{B:20}"));
  add(rule("gitlab-runner-token", "GitLab runner authentication token", "vcs", H,
           R"re(\bglrt-[A-Za-z0-9_-]{20})re", {"glrt-"}, 3.0, "token = \"glrt-{B:20}\""));
  add(rule("gitlab-deploy-token", "GitLab deploy token", "vcs", H,
           R"re(\bgldt-[A-Za-z0-9_-]{20})re", {"gldt-"}, 3.0, "gldt-{B:20}"));
  add(rule("gitlab-oauth-app-secret", "GitLab OAuth application secret", "vcs", H,
           R"re(\bgloas-[A-Za-z0-9_-]{64})re", {"gloas-"}, 3.5, "gloas-{B:64}"));
  add(rule("bitbucket-app-password", "Bitbucket app password", "vcs", H,
           R"re(\bATBB[A-Za-z0-9_=.-]{32})re", {"atbb"}, 3.0, "ATBB{a:32}"));
  add(rule("bitbucket-client-secret", "Bitbucket OAuth client secret", "vcs", H,
           named("bitbucket", "secret", "[A-Za-z0-9_=-]{64}"), {"bitbucket"}, 3.5,
           "BITBUCKET_CLIENT_SECRET={B:64}"));
  add(rule("atlassian-api-token", "Atlassian API token", "vcs", H,
           R"re(\bATATT3[A-Za-z0-9_=-]{60})re", {"atatt3"}, 3.5, "ATATT3{B:186}"));
  add(rule("sonarqube-token", "SonarQube token", "ci", H, R"re(\bsq[pua]_[a-f0-9]{40}\b)re",
           {"sqp_", "sqa_", "squ_"}, 3.0, "SONAR_TOKEN=sqp_{h:40}"));
  add(rule("buildkite-token", "Buildkite API access token", "ci", H, R"re(\bbkua_[a-f0-9]{40}\b)re",
           {"bkua_"}, 3.0, "bkua_{h:40}"));
  add(rule("postman-api-key", "Postman API key", "ci", H,
           R"re(\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b)re", {"pmak-"}, 3.0, "PMAK-{h:24}-{h:34}"));
  add(rule("prefect-api-key", "Prefect API key", "ci", H, R"re(\bpnu_[A-Za-z0-9]{36}\b)re",
           {"pnu_"}, 3.0, "pnu_{a:36}"));
  add(rule("infracost-api-key", "Infracost API key", "ci", M, R"re(\bico-[A-Za-z0-9]{32}\b)re",
           {"ico-"}, 3.0, "INFRACOST_API_KEY=ico-{a:32}"));

  // --- package registries
  add(rule("npm-access-token", "npm access token", "package-registry", C,
           R"re(\bnpm_[A-Za-z0-9]{36}\b)re", {"npm_"}, 3.0,
           "//npm.example.com/:_authToken=npm_{a:36}"));
  add(rule(
      "npmrc-auth", "npm registry credential in .npmrc", "package-registry", H,
      R"re(:_(?:auth|authToken|password)\s{0,4}=\s{0,4}["']?([A-Za-z0-9+/=._-]{20,200})(?:["'\s]|$))re",
      {"_auth"}, 3.5, "//npm.example.com/:_auth={b:40}"));
  add(rule("pypi-token", "PyPI upload token", "package-registry", C,
           R"re(\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50})re", {"pypi-ageichlwas5vcmc"}, 3.0,
           "password = pypi-AgEIcHlwaS5vcmc{B:70}"));
  add(rule("rubygems-api-key", "RubyGems API key", "package-registry", H,
           R"re(\brubygems_[a-f0-9]{48}\b)re", {"rubygems_"}, 3.0, "rubygems_{h:48}"));
  add(rule("nuget-api-key", "NuGet API key", "package-registry", H, R"re(\boy2[a-z0-9]{43}\b)re",
           {"oy2"}, 3.0, "NUGET_API_KEY=oy2{l:43}"));
  add(rule("dockerhub-pat", "Docker Hub personal access token", "package-registry", H,
           R"re(\bdckr_pat_[A-Za-z0-9_-]{27})re", {"dckr_pat_"}, 3.0, "dckr_pat_{B:27}"));
  add(rule("docker-config-auth", "Registry credential in a docker config.json", "package-registry",
           H, R"re("auth"\s{0,4}:\s{0,4}"([A-Za-z0-9+/]{16,400}={0,2})")re", {"\"auth\""}, 3.0,
           R"({"auths": {"registry.example.com": {"auth": "{b:40}"}}})"));
  add(rule("crates-io-token", "crates.io API token", "package-registry", H,
           R"re(\bcio[A-Za-z0-9]{32}\b)re", {"cio"}, 3.5, "CARGO_REGISTRY_TOKEN=cio{a:32}"));
  add(rule("clojars-token", "Clojars deploy token", "package-registry", H,
           R"re(\bCLOJARS_[a-z0-9]{60}\b)re", {"clojars_"}, 3.0, "CLOJARS_{l:60}"));
  add(rule("artifactory-api-key", "JFrog Artifactory API key", "package-registry", H,
           R"re(\bAKCp[A-Za-z0-9]{69}\b)re", {"akcp"}, 3.0, "X-JFrog-Art-Api: AKCp{a:69}"));
  add(rule("artifactory-reference-token", "JFrog Artifactory reference token", "package-registry",
           H, R"re(\bcmVmd[A-Za-z0-9]{59}\b)re", {"cmvmd"}, 3.0, "cmVmd{a:59}"));
  add(rule("huggingface-token", "Hugging Face access token", "ai", H, R"re(\bhf_[A-Za-z]{34}\b)re",
           {"hf_"}, 3.0, "HF_TOKEN=hf_{L:34}"));

  // --- chat
  add(rule("slack-bot-token", "Slack bot token", "chat", H,
           R"re(\bxoxb-[0-9]{10,13}-[0-9]{10,13}-[A-Za-z0-9]{24}\b)re", {"xoxb-"}, 3.0,
           "SLACK_BOT_TOKEN=xoxb-{d:12}-{d:13}-{a:24}"));
  add(rule("slack-user-token", "Slack user token", "chat", H,
           R"re(\bxox[pe]-[0-9]{10,13}-[0-9]{10,13}-[0-9]{10,13}-[a-f0-9]{32}\b)re",
           {"xoxp-", "xoxe-"}, 3.0, "xoxp-{d:12}-{d:12}-{d:13}-{h:32}"));
  add(rule("slack-app-token", "Slack app-level token", "chat", H,
           R"re(\bxapp-[0-9]-[A-Z0-9]{9,11}-[0-9]{13}-[a-f0-9]{64}\b)re", {"xapp-"}, 3.0,
           "xapp-1-{A:11}-{d:13}-{h:64}"));
  add(rule(
      "slack-webhook-url", "Slack incoming webhook URL", "chat", M,
      R"re(https://hooks\.slack\.com/(?:services|workflows)/T[A-Z0-9]{8,10}/B[A-Z0-9]{8,10}/([A-Za-z0-9]{24}))re",
      {"hooks.slack.com"}, 3.0, "https://hooks.slack.com/services/T{A:9}/B{A:10}/{a:24}"));
  add(rule("discord-bot-token", "Discord bot token", "chat", H,
           named("discord", "(?:token|key)",
                 "[MNO][A-Za-z0-9_-]{23,25}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,38}"),
           {"discord"}, 3.5, "DISCORD_TOKEN=M{B:23}.{B:6}.{B:27}"));
  add(rule(
      "discord-webhook-url", "Discord webhook URL", "chat", M,
      R"re(https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/([A-Za-z0-9_-]{68}))re",
      {"discord"}, 3.5, "https://discord.com/api/webhooks/{d:18}/{B:68}"));
  add(rule("telegram-bot-token", "Telegram bot token", "chat", H,
           R"re(\b[0-9]{8,10}:AA[A-Za-z0-9_-]{33})re", {":aa"}, 3.5,
           "bot_token = \"{d:10}:AA{B:33}\""));
  add(rule("teams-webhook-url", "Microsoft Teams incoming webhook URL", "chat", M,
           "https://[a-z0-9-]{1,60}\\.webhook\\.office\\.com/webhookb2/" + kUuid + "@" + kUuid +
               "/IncomingWebhook/([a-f0-9]{32})/" + kUuid,
           {"webhook.office.com"}, 3.0,
           "https://acme.webhook.office.com/webhookb2/{h:8}-{h:4}-{h:4}-{h:4}-{h:12}@{h:8}-{h:4}-"
           "{h:4}-{h:4}-{h:12}/IncomingWebhook/{h:32}/{h:8}-{h:4}-{h:4}-{h:4}-{h:12}"));
  add(rule("linear-api-key", "Linear API key", "chat", H, R"re(\blin_api_[A-Za-z0-9]{40}\b)re",
           {"lin_api_"}, 3.0, "lin_api_{a:40}"));
  add(rule("notion-token", "Notion integration token", "chat", H,
           R"re(\bntn_[0-9]{11}[A-Za-z0-9]{35}\b)re", {"ntn_"}, 3.0,
           "NOTION_TOKEN=ntn_{d:11}{a:35}"));
  add(rule("airtable-pat", "Airtable personal access token", "chat", H,
           R"re(\bpat[A-Za-z0-9]{14}\.[a-f0-9]{64}\b)re", {"pat"}, 3.0, "pat{a:14}.{h:64}"));
  add(rule("typeform-token", "Typeform personal access token", "chat", M,
           R"re(\btfp_[A-Za-z0-9_.=-]{59})re", {"tfp_"}, 3.5, "tfp_{B:59}"));

  // --- payment
  add(rule("stripe-live-secret-key", "Stripe live secret or restricted key", "payment", C,
           R"re(\b[rs]k_live_[A-Za-z0-9]{24})re", {"sk_live_", "rk_live_"}, 3.0,
           "STRIPE_KEY=sk_live_{a:24}"));
  add(rule("stripe-test-secret-key", "Stripe test secret key", "payment", L,
           R"re(\b[rs]k_test_[A-Za-z0-9]{24})re", {"sk_test_", "rk_test_"}, 3.0, "sk_test_{a:24}"));
  add(rule("stripe-webhook-secret", "Stripe webhook signing secret", "payment", H,
           R"re(\bwhsec_[A-Za-z0-9]{32})re", {"whsec_"}, 3.0, "whsec_{a:32}"));
  add(rule("square-access-token", "Square access token", "payment", C,
           named("square", "(?:token|key)", "EAAA[A-Za-z0-9_-]{60}"), {"square"}, 3.5,
           "SQUARE_ACCESS_TOKEN=EAAA{B:60}"));
  add(rule("square-oauth-secret", "Square OAuth application secret", "payment", H,
           R"re(\bsq0csp-[A-Za-z0-9_-]{43})re", {"sq0csp-"}, 3.5, "sq0csp-{B:43}"));
  add(rule("square-legacy-access-token", "Square legacy access token", "payment", H,
           R"re(\bsq0atp-[A-Za-z0-9_-]{22})re", {"sq0atp-"}, 3.0, "sq0atp-{B:22}"));
  add(rule("paypal-braintree-access-token", "PayPal Braintree access token", "payment", C,
           R"re(access_token\$production\$[0-9a-z]{16}\$[0-9a-f]{32})re",
           {"access_token$production$"}, 3.0, "access_token$production${l:16}${h:32}"));
  add(rule("paypal-client-secret", "PayPal REST API client secret", "payment", H,
           named("paypal", "secret", "[A-Za-z0-9_-]{80}"), {"paypal"}, 4.0,
           "PAYPAL_CLIENT_SECRET={B:80}"));
  add(rule("flutterwave-secret-key", "Flutterwave secret key", "payment", H,
           R"re(\bFLWSECK(?:_TEST)?-[a-h0-9]{32}-X\b)re", {"flwseck"}, 3.0, "FLWSECK-{h:32}-X"));
  add(rule("razorpay-key", "Razorpay live key ID", "payment", M,
           R"re(\brzp_live_[A-Za-z0-9]{14}\b)re", {"rzp_live_"}, 3.0, "rzp_live_{a:14}"));
  add(rule("plaid-access-token", "Plaid access token", "payment", H,
           "\\baccess-(?:sandbox|development|production)-" + kUuid + "\\b", {"access-"}, 3.0,
           "access-production-{h:8}-{h:4}-{h:4}-{h:4}-{h:12}"));
  add(rule("shopify-token", "Shopify access token or shared secret", "payment", H,
           R"re(\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b)re",
           {"shpat_", "shpca_", "shppa_", "shpss_"}, 3.0, "shpat_{h:32}"));
  add(rule("easypost-api-key", "EasyPost API key", "payment", M, R"re(\bEZAK[A-Za-z0-9]{54}\b)re",
           {"ezak"}, 3.0, "EZAK{a:54}"));
  add(rule("shippo-api-token", "Shippo API token", "payment", M,
           R"re(\bshippo_(?:live|test)_[a-f0-9]{40}\b)re", {"shippo_"}, 3.0, "shippo_live_{h:40}"));
  add(rule("duffel-api-token", "Duffel API token", "payment", M,
           R"re(\bduffel_(?:test|live)_[A-Za-z0-9_=-]{43})re", {"duffel_"}, 3.5,
           "duffel_live_{B:43}"));

  // --- email, SMS, messaging APIs
  add(rule("sendgrid-api-key", "SendGrid API key", "email", H,
           R"re(\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})re", {"sg."}, 3.5,
           "SENDGRID_API_KEY=SG.{B:22}.{B:43}"));
  add(rule("twilio-api-key", "Twilio API key", "email", H, R"re(\bSK[0-9a-fA-F]{32}\b)re", {"sk"},
           3.0, "TWILIO_API_KEY=SK{h:32}"));
  add(rule("mailgun-api-key", "Mailgun API key", "email", H, R"re(\bkey-[0-9a-f]{32}\b)re",
           {"key-"}, 3.0, "MAILGUN_API_KEY=key-{h:32}"));
  add(rule("mailchimp-api-key", "Mailchimp API key", "email", H,
           R"re(\b[0-9a-f]{32}-us[0-9]{1,2}\b)re", {"-us"}, 3.0, "{h:32}-us21"));
  add(rule("brevo-api-key", "Brevo (Sendinblue) API key", "email", H,
           R"re(\bxkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}\b)re", {"xkeysib-"}, 3.0,
           "xkeysib-{h:64}-{a:16}"));
  add(rule("firebase-cloud-messaging-key", "Firebase Cloud Messaging server key", "email", H,
           R"re(\bAAAA[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{100})re", {"apa91b"}, 3.5,
           "AAAA{B:7}:APA91b{B:134}"));
  add(rule("facebook-access-token", "Facebook access token", "social", H,
           R"re(\bEAACEdEose0cBA[A-Za-z0-9]{20})re", {"eaacedeose0cba"}, 3.0,
           "EAACEdEose0cBA{a:40}"));
  add(rule("mapbox-secret-token", "Mapbox secret access token", "social", M,
           R"re(\bsk\.eyJ[A-Za-z0-9_-]{10,200}\.[A-Za-z0-9_-]{22}\b)re", {"sk.eyj"}, 3.5,
           "MAPBOX_TOKEN=sk.eyJ{B:60}.{B:22}"));

  // --- monitoring
  add(rule("grafana-api-key", "Grafana API key", "monitoring", H,
           R"re(\beyJrIjoi[A-Za-z0-9+/]{60})re", {"eyjrijoi"}, 3.5, "eyJrIjoi{b:70}"));
  add(rule("grafana-cloud-token", "Grafana Cloud API token", "monitoring", H,
           R"re(\bglc_[A-Za-z0-9+/]{32})re", {"glc_"}, 3.5, "glc_{b:60}"));
  add(rule("grafana-service-account-token", "Grafana service account token", "monitoring", H,
           R"re(\bglsa_[A-Za-z0-9]{32}_[a-f0-9]{8}\b)re", {"glsa_"}, 3.0, "glsa_{a:32}_{h:8}"));
  add(rule("new-relic-user-key", "New Relic user API key", "monitoring", H,
           R"re(\bNRAK-[A-Z0-9]{27}\b)re", {"nrak-"}, 3.0, "NEW_RELIC_API_KEY=NRAK-{A:27}"));
  add(rule("new-relic-insert-key", "New Relic insert key", "monitoring", M,
           R"re(\bNRII-[A-Za-z0-9_-]{32})re", {"nrii-"}, 3.0, "NRII-{B:32}"));
  add(rule("datadog-api-key", "Datadog API key", "monitoring", H,
           named("(?:datadog|dd)", "api[_-]?key", "[a-f0-9]{32}"), {"datadog", "dd"}, 3.0,
           "DD_API_KEY={h:32}"));
  add(rule("sentry-org-token", "Sentry organization auth token", "monitoring", H,
           R"re(\bsntrys_eyJpYXQiO[A-Za-z0-9+/=_-]{60})re", {"sntrys_"}, 3.5,
           "SENTRY_AUTH_TOKEN=sntrys_eyJpYXQiO{b:100}"));
  add(rule("dynatrace-token", "Dynatrace API token", "monitoring", H,
           R"re(\bdt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}\b)re", {"dt0c01."}, 3.0,
           "dt0c01.{A:24}.{A:64}"));
  add(rule("okta-api-token", "Okta API token", "monitoring", H,
           named("okta", "(?:token|key)", "00[A-Za-z0-9_-]{40}"), {"okta"}, 3.5,
           "OKTA_API_TOKEN=00{B:40}"));
  add(rule("launchdarkly-key", "LaunchDarkly API or SDK key", "monitoring", M,
           "\\b(?:api|sdk)-" + kUuid + "\\b", {"api-", "sdk-"}, 3.0,
           "sdk-{h:8}-{h:4}-{h:4}-{h:4}-{h:12}"));

  // --- AI providers
  add(rule("openai-api-key", "OpenAI API key", "ai", C,
           R"re(\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,74}T3BlbkFJ[A-Za-z0-9_-]{20})re",
           {"t3blbkfj"}, 3.5, "OPENAI_API_KEY=sk-proj-{a:40}T3BlbkFJ{a:40}"));
  add(rule("anthropic-api-key", "Anthropic API key", "ai", C,
           R"re(\bsk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_-]{93}AA)re", {"sk-ant-"}, 3.5,
           "ANTHROPIC_API_KEY=sk-ant-api03-{a:93}AA"));
  add(rule("groq-api-key", "Groq API key", "ai", H, R"re(\bgsk_[A-Za-z0-9]{52}\b)re", {"gsk_"}, 3.0,
           "gsk_{a:52}"));
  add(rule("replicate-api-token", "Replicate API token", "ai", H, R"re(\br8_[A-Za-z0-9]{37}\b)re",
           {"r8_"}, 3.0, "r8_{a:37}"));

  // --- private keys (the base64 body is required: the header alone is in every PEM parser)
  add(rule("private-key-rsa", "RSA private key (PEM)", "private-key", C, pem("RSA PRIVATE KEY"),
           {"private key"}, 4.0, "-----BEGIN RSA PRIVATE KEY-----\n{b:64}\n{b:64}\n"));
  add(rule("private-key-pkcs8", "Private key (PKCS#8 PEM)", "private-key", C, pem("PRIVATE KEY"),
           {"private key"}, 4.0, "-----BEGIN PRIVATE KEY-----\n{b:64}\n"));
  add(rule("private-key-pkcs8-encrypted", "Encrypted private key (PKCS#8 PEM)", "private-key", H,
           pem("ENCRYPTED PRIVATE KEY"), {"private key"}, 4.0,
           "-----BEGIN ENCRYPTED PRIVATE KEY-----\r\n{b:64}\r\n"));
  add(rule("private-key-ec", "EC private key (PEM)", "private-key", C, pem("EC PRIVATE KEY"),
           {"private key"}, 4.0, "-----BEGIN EC PRIVATE KEY-----\n{b:64}\n"));
  add(rule("private-key-dsa", "DSA private key (PEM)", "private-key", C, pem("DSA PRIVATE KEY"),
           {"private key"}, 4.0, "-----BEGIN DSA PRIVATE KEY-----\n{b:64}\n"));
  add(rule(
      "private-key-openssh", "OpenSSH private key", "private-key", C,
      R"re(-----BEGIN OPENSSH PRIVATE KEY-----[\r\n]{1,2}(b3BlbnNzaC1rZXktdjE[A-Za-z0-9+/=]{40}))re",
      {"private key"}, 4.0, "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE{b:50}\n"));
  add(rule(
      "private-key-pgp", "PGP private key block", "private-key", C,
      R"re(-----BEGIN PGP PRIVATE KEY BLOCK-----[\r\n]{1,2}(?:[A-Za-z-]{1,30}: [^\r\n]{0,200}[\r\n]{1,2}){0,5}[\r\n]{0,2}([A-Za-z0-9+/=]{40}))re",
      {"private key"}, 4.0, "-----BEGIN PGP PRIVATE KEY BLOCK-----\nComment: test\n\n{b:64}\n"));
  add(rule(
      "private-key-putty", "PuTTY private key", "private-key", C,
      R"re(PuTTY-User-Key-File-[23]: [a-z0-9-]{3,40}\r?\nEncryption: [a-z0-9-]{1,40}\r?\nComment: [^\r\n]{0,200}\r?\nPublic-Lines: [0-9]{1,3}\r?\n([A-Za-z0-9+/=]{40}))re",
      {"putty-user-key-file"}, 4.0,
      "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: k\nPublic-Lines: "
      "2\n{b:64}\n"));
  add(rule("age-secret-key", "age encryption secret key", "private-key", C,
           R"re(\bAGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}\b)re",
           {"age-secret-key-1"}, 3.0, "AGE-SECRET-KEY-1{g:58}"));
  add(rule("kubeconfig-client-key", "Kubernetes client key in a kubeconfig", "private-key", C,
           R"re(client-key-data:\s{0,4}["']?(LS0tLS1CRUdJTi[A-Za-z0-9+/]{26}))re",
           {"client-key-data"}, 4.0, "    client-key-data: LS0tLS1CRUdJTi{b:200}"));

  // --- tokens and credentials in URLs and headers
  add(rule("jwt", "JSON Web Token", "jwt", M,
           R"re(\beyJ[A-Za-z0-9_-]{10,500}\.eyJ[A-Za-z0-9_-]{10,1000}\.[A-Za-z0-9_-]{20})re",
           {"eyj"}, 3.5, "Authorization: Bearer eyJ{B:30}.eyJ{B:60}.{B:43}"));
  add(rule("postgres-url-password", "PostgreSQL connection URL with a password", "database", H,
           R"re(\bpostgres(?:ql)?://[^\s:/@"']{1,64}:([^\s:/@"']{6,128})@[A-Za-z0-9\[])re",
           {"postgres"}, 3.0, "DATABASE_URL=postgres://app:{a:20}@db.internal:5432/app"));
  add(rule(
      "mysql-url-password", "MySQL/MariaDB connection URL with a password", "database", H,
      R"re(\b(?:mysql|mariadb)(?:\+[a-z]{1,20})?://[^\s:/@"']{1,64}:([^\s:/@"']{6,128})@[A-Za-z0-9\[])re",
      {"mysql", "mariadb"}, 3.0, "mysql://root:{a:16}@127.0.0.1/db"));
  add(rule("mongodb-url-password", "MongoDB connection URL with a password", "database", H,
           R"re(\bmongodb(?:\+srv)?://[^\s:/@"']{1,64}:([^\s:/@"']{6,128})@[A-Za-z0-9\[])re",
           {"mongodb"}, 3.0, "MONGO_URL=mongodb+srv://u:{a:18}@cluster0.example.net"));
  add(rule("redis-url-password", "Redis connection URL with a password", "database", H,
           R"re(\brediss?://[^\s:/@"']{0,64}:([^\s:/@"']{6,128})@[A-Za-z0-9\[])re", {"redis"}, 3.0,
           "redis://:{a:24}@cache:6379/0"));
  add(rule("amqp-url-password", "AMQP (RabbitMQ) URL with a password", "database", H,
           R"re(\bamqps?://[^\s:/@"']{1,64}:([^\s:/@"']{6,128})@[A-Za-z0-9\[])re", {"amqp"}, 3.0,
           "amqp://guest:{a:16}@rabbit:5672/"));
  add(rule(
      "jdbc-password", "JDBC URL with a password", "database", H,
      R"re((?i)\bjdbc:[a-z0-9]{2,20}:[^\s"']{0,200}[;?&]password=([^\s;&"']{6,64})(?:[;&"'\s]|$))re",
      {"jdbc:"}, 3.0, "jdbc:sqlserver://db:1433;user=sa;password={a:16};"));
  add(rule("url-basic-auth", "Credentials in an http(s) or ftp URL", "generic", H,
           R"re(\b(?:https?|ftps?)://[^\s:/@"'<>]{1,64}:([^\s:/@"'<>]{6,128})@[A-Za-z0-9\[])re",
           {"://"}, 3.5, "https://deploy:{a:24}@git.example.com/repo.git"));
  add(rule(
      "authorization-basic", "HTTP Basic credentials in an Authorization header", "generic", H,
      R"re((?i)authorization["']?\s{0,4}[:=]\s{0,4}["']?basic\s{1,4}([A-Za-z0-9+/]{16,200}={0,2})(?:[^A-Za-z0-9+/=]|$))re",
      {"authorization"}, 3.5, "Authorization: Basic {b:32}"));
  add(rule(
      "authorization-bearer", "Bearer token in an Authorization header", "generic", M,
      R"re((?i)authorization["']?\s{0,4}[:=]\s{0,4}["']?bearer\s{1,4}([A-Za-z0-9._~+/-]{20,500}=*)(?:[^A-Za-z0-9._~+/=-]|$))re",
      {"authorization"}, 3.5, "\"Authorization\": \"Bearer {B:40}\""));

  // --- generic assignments (entropy keeps words and code out)
  add(rule(
      "generic-secret-assignment", "Password or secret assigned a quoted literal", "generic", M,
      R"re((?i)\b[a-z0-9_.-]{0,20}(?:password|passwd|passphrase|secret|api_?key|apikey|access_?key|auth_?token|private_?key)["']?\s{0,4}(?:=|:|=>|:=)\s{0,4}["']([^\s"'<>${}()\[\]\\]{8,64})["'])re",
      {"password", "passwd", "passphrase", "secret", "api_key", "apikey", "access_key",
       "auth_token", "authtoken", "private_key", "privatekey"},
      3.5, "db_password = \"{a:20}\""));
  add(rule(
      "dotenv-secret", "Password or secret in an environment file", "generic", M,
      R"re((?m)^[ \t]{0,8}(?:export[ \t]{1,4})?[A-Z0-9_]{0,30}(?:PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|APIKEY|ACCESS_KEY|PRIVATE_KEY)[A-Z0-9_]{0,30}=([^\s"'$#`]{8,64})(?:\s|$))re",
      {"password", "passwd", "secret", "token", "api_key", "apikey", "access_key", "private_key"},
      3.5, "DB_PASSWORD={a:20}\n"));
  return v;
}

}  // namespace

RuleSet builtin_rules() {
  static const std::vector<Rule> kRules = make_rules();
  RuleSet set;
  set.rules = kRules;
  Allowlist placeholders;
  placeholders.description = "placeholders, templates and variable references";
  placeholders.regexes = {
      R"re((?i)example|sample|dummy|placeholder|changeme|change_me|redacted|your[_-]?(?:api[_-]?)?(?:key|token|secret|password))re",
      R"re((?i)x{6,}|\*{4,}|\.{6,})re",
      R"re(^\$|^%\(?[A-Za-z_]{0,40}\)?s$|^\{\{|^<[^>]{0,64}>$)re",
  };
  set.allowlists.push_back(std::move(placeholders));
  // CPython's own test suite (Debian's libpython3.X-testsuite, pulled in by python3-full)
  // ships public test keys and certificates: 13 findings in the corpus `big` image, none a
  // secret of the image's owner. Only that interpreter directory is exempt, not "test" paths.
  Allowlist interpreter_tests;
  interpreter_tests.description = "public test keys of installed interpreter test suites";
  interpreter_tests.paths = {R"re(^/usr/(?:local/)?lib/python[23](?:\.[0-9]+)?/test/)re"};
  set.allowlists.push_back(std::move(interpreter_tests));
  return set;
}

}  // namespace bulwark::secret
