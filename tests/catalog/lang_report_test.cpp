// What the language catalogers put in the report beyond name and version, on inputs made by the
// real tools: the precise location of libraries nested in fat jars, wars and ears (built with
// the JDK's `jar` from Debian's jars), the build settings of a Go binary (built by `go build`
// in a git checkout, compared with `go version -m`), Composer's dev flag (compared with
// `composer show --no-dev`), and the binary identifier leaving apk- and rpm-owned runtimes to
// their package managers (a real Alpine database, an rpm database written by `rpm -i`).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "catalog/go_binary.hpp"
#include "catalog/java.hpp"
#include "catalog/lang_scan_support.hpp"
#include "core/serial.hpp"
#include "core/text.hpp"
#include "image/layer_cache.hpp"
#include "report/report.hpp"
#include "support/image_builder.hpp"
#include "support/test_env.hpp"

namespace bulwark::catalog {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::ImageBuilder;
using testing::TarEntry;

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    auto end = s.find(sep, pos);
    if (end == std::string_view::npos) end = s.size();
    if (end > pos) out.push_back(s.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

std::string run_ok(const std::string& cmd) {
  std::string out;
  EXPECT_EQ(testing::run_command(cmd + " 2>&1", &out), 0) << cmd << "\n" << out;
  return out;
}

report::Report report_of(const Sbom& sbom) {
  report::Report r;
  r.packages = sbom.packages;
  return r;
}

// CycloneDX components' properties by component name: name -> [(property, value)].
std::map<std::string, std::multimap<std::string, std::string>> cdx_properties(
    const report::Report& r) {
  auto doc = json::parse(report::write_cyclonedx(r));
  std::map<std::string, std::multimap<std::string, std::string>> out;
  for (const auto& c : doc.at("components")) {
    auto& props = out[c.at("name").get<std::string>()];
    for (const auto& p : c.value("properties", json::array())) {
      props.emplace(p.at("name").get<std::string>(), p.at("value").get<std::string>());
    }
  }
  return out;
}

// Empty when `document` is valid against `schema` (Debian's python3-jsonschema, through the
// validator the report writer tests use), else the validator's messages.
std::string schema_errors(const fs::path& schema, const std::string& document) {
  testing::TempDir dir;
  testing::write_file(dir.path() / "doc.json", document);
  std::string out;
  int rc = testing::run_command("/usr/bin/python3 '" + std::string(BULWARK_SOURCE_DIR) +
                                    "/tests/report/validate_json.py' '" + schema.string() + "' '" +
                                    (dir.path() / "doc.json").string() + "' 2>&1",
                                &out);
  return rc == 0 ? std::string() : "exit " + std::to_string(rc) + ": " + out;
}

// The native JSON against docs/schema and the CycloneDX against the 1.5 schema in ../shared.
void expect_valid_reports(const report::Report& r) {
  if (testing::run_command("/usr/bin/python3 -c 'import jsonschema' 2>/dev/null") != 0) {
    BW_SKIP_OR_FAIL("python3-jsonschema not installed");
  }
  EXPECT_EQ(schema_errors(fs::path(BULWARK_SOURCE_DIR) / "docs/schema/report.schema.json",
                          report::write_json(r)),
            "");
  BW_REQUIRE_SHARED(shared);
  EXPECT_EQ(
      schema_errors(shared / "schemas/cyclonedx/bom-1.5.schema.json", report::write_cyclonedx(r)),
      "");
}

// ---------------------------------------------------------------------------------------------
// Nested jars

// A Spring Boot executable jar (BOOT-INF/lib, with one library also in BOOT-INF/lib-provided)
// and an ear holding a war holding jars, made by the JDK's `jar` tool from Debian's jars.
TEST(NestedJarLocation, EveryNestedLibraryIsLocatedInsideTheOuterArchiveInItsLayer) {
  BW_REQUIRE_COMMAND("jar");
  const std::vector<std::string> boot_libs = {"commons-compress-1.22.jar", "guava-31.1-jre.jar",
                                              "commons-io-2.11.0.jar", "jackson-core-2.14.1.jar"};
  const std::vector<std::string> war_libs = {"commons-lang3-3.12.0.jar", "commons-cli-1.5.0.jar"};
  for (const auto& j : boot_libs) {
    if (!fs::exists("/usr/share/java/" + j)) BW_SKIP_OR_FAIL("/usr/share/java/" + j + " missing");
  }
  for (const auto& j : war_libs) {
    if (!fs::exists("/usr/share/java/" + j)) BW_SKIP_OR_FAIL("/usr/share/java/" + j + " missing");
  }
  testing::TempDir tmp;
  const fs::path d = tmp.path();
  fs::create_directories(d / "boot/BOOT-INF/lib");
  fs::create_directories(d / "boot/BOOT-INF/lib-provided");
  fs::create_directories(d / "boot/BOOT-INF/classes/com/example");
  for (const auto& j : boot_libs) {
    fs::copy_file(fs::canonical("/usr/share/java/" + j), d / "boot/BOOT-INF/lib" / j);
  }
  fs::copy_file(fs::canonical("/usr/share/java/commons-io-2.11.0.jar"),
                d / "boot/BOOT-INF/lib-provided/commons-io-2.11.0.jar");
  testing::write_file(d / "boot/BOOT-INF/classes/com/example/Demo.class", "\xca\xfe\xba\xbe");
  testing::write_file(d / "manifest.txt",
                      "Main-Class: org.springframework.boot.loader.JarLauncher\n"
                      "Start-Class: com.example.Demo\n");
  fs::create_directories(d / "web/WEB-INF/lib");
  for (const auto& j : war_libs) {
    fs::copy_file(fs::canonical("/usr/share/java/" + j), d / "web/WEB-INF/lib" / j);
  }
  testing::write_file(d / "web/WEB-INF/web.xml", "<web-app/>");
  fs::create_directories(d / "ear/META-INF");
  testing::write_file(d / "ear/META-INF/application.xml", "<application/>");
  const std::string cd = "cd '" + d.string() + "' && ";
  // Spring Boot stores nested jars uncompressed (--no-compress); the war inside the ear is
  // deflated, as `jar` does by default.
  run_ok(cd + "jar --create --no-compress --file app.jar --manifest manifest.txt -C boot .");
  run_ok(cd + "jar --create --file ear/web.war -C web .");
  run_ok(cd + "jar --create --file app.ear -C ear .");

  ImageBuilder b;
  b.layer({TarEntry::file("etc/motd", "hello\n")});
  b.layer({TarEntry::file("app/app.jar", testing::read_file(d / "app.jar")),
           TarEntry::file("srv/deploy/app.ear", testing::read_file(d / "app.ear"))});
  b.write_oci_layout(tmp.str() + "/img");
  auto sbom = lang_test::scan(tmp.str() + "/img");
  EXPECT_TRUE(sbom.warnings.empty()) << ::testing::PrintToString(sbom.warnings);

  // The reference: what each library says about itself (its pom.properties, read by the
  // parser that DebianJarsMatchThePomPropertiesTheyCarry compares with Python's zipfile), at
  // the paths `jar --list` shows inside the archives.
  auto listing =
      run_ok(cd + "jar --list --file app.jar") + run_ok(cd + "jar --list --file app.ear");
  std::map<std::pair<std::string, std::string>, std::set<std::string>> expected;
  auto expect_lib = [&](const std::string& file, const std::string& location) {
    auto parsed = parse_java_archive(testing::read_file("/usr/share/java/" + file), file);
    ASSERT_TRUE(parsed.ok()) << file;
    ASSERT_FALSE(parsed->packages.empty()) << file;
    for (const auto& p : parsed->packages) expected[{p.name, p.version}].insert(location);
  };
  for (const auto& j : boot_libs) {
    ASSERT_NE(listing.find("BOOT-INF/lib/" + j + "\n"), std::string::npos) << j;
    expect_lib(j, "app/app.jar!/BOOT-INF/lib/" + j);
  }
  ASSERT_NE(listing.find("BOOT-INF/lib-provided/commons-io-2.11.0.jar\n"), std::string::npos);
  expect_lib("commons-io-2.11.0.jar", "app/app.jar!/BOOT-INF/lib-provided/commons-io-2.11.0.jar");
  ASSERT_NE(listing.find("web.war\n"), std::string::npos);
  auto war_listing = run_ok(cd + "jar --list --file ear/web.war");
  for (const auto& j : war_libs) {
    ASSERT_NE(war_listing.find("WEB-INF/lib/" + j + "\n"), std::string::npos) << j;
    expect_lib(j, "srv/deploy/app.ear!/web.war!/WEB-INF/lib/" + j);
  }

  std::map<std::pair<std::string, std::string>, std::set<std::string>> found;
  std::string layer2_digest;
  for (const auto& p : lang_test::of(sbom, "maven")) {
    for (const auto& l : p.locations) {
      found[{p.name, p.version}].insert(l.path);
      EXPECT_EQ(l.layer_index, 1) << l.path;
      if (layer2_digest.empty()) layer2_digest = l.layer_digest;
      EXPECT_EQ(l.layer_digest, layer2_digest) << l.path;
    }
  }
  EXPECT_TRUE(layer2_digest.starts_with("sha256:"));
  EXPECT_EQ(found, expected);
  // commons-io: one package, both places.
  EXPECT_EQ((found[{"commons-io:commons-io", "2.11.0"}].size()), 2U);

  // Both report forms carry the nested path.
  auto r = report_of(sbom);
  auto native = json::parse(report::write_json(r));
  std::set<std::string> json_paths;
  for (const auto& p : native.at("packages")) {
    if (p.at("ecosystem") != "maven") continue;
    for (const auto& l : p.at("locations")) json_paths.insert(l.at("path").get<std::string>());
  }
  EXPECT_EQ(json_paths.count("srv/deploy/app.ear!/web.war!/WEB-INF/lib/commons-cli-1.5.0.jar"), 1U);
  auto props = cdx_properties(r);
  auto guava = props["com.google.guava:guava"];
  auto where = guava.equal_range("bulwark:location:path");
  ASSERT_NE(where.first, where.second);
  EXPECT_EQ(where.first->second, "app/app.jar!/BOOT-INF/lib/guava-31.1-jre.jar");
  expect_valid_reports(r);
}

// The merge keeps a cataloger's location only inside its own evidence file.
TEST(NestedJarLocation, NestedLocationHelperJoinsWithBangSlash) {
  EXPECT_EQ(nested_location("app/app.jar", "BOOT-INF/lib/x.jar"),
            "app/app.jar!/BOOT-INF/lib/x.jar");
  EXPECT_EQ(nested_location("a.ear", "w.war!/WEB-INF/lib/x.jar"),
            "a.ear!/w.war!/WEB-INF/lib/x.jar");
}

// ---------------------------------------------------------------------------------------------
// Go build settings

// `go version -m` as (kind, fields) rows: "build" rows give the settings in order, "dep" rows
// the dependency sums.
struct GoVersionM {
  std::string go_version;
  std::vector<std::pair<std::string, std::string>> build;
  std::map<std::string, std::string> dep_sums;
  std::string main_path;
};

GoVersionM go_version_m(const std::string& bin) {
  GoVersionM out;
  std::string text = run_ok("go version -m '" + bin + "'");
  bool first = true;
  for (auto line : split(text, '\n')) {
    if (first) {
      auto colon = line.find(": ");
      out.go_version = std::string(line.substr(colon + 2));
      first = false;
      continue;
    }
    std::vector<std::string> f;
    for (auto x : split(line, '\t')) {
      if (!x.empty()) f.emplace_back(x);
    }
    if (f.size() >= 2 && f[0] == "path") out.main_path = f[1];
    if (f.size() >= 2 && f[0] == "build") {
      // Values with blanks are printed Go-quoted: -ldflags="-s -X main.version=1.0.0".
      auto eq = f[1].find('=');
      std::string v = f[1].substr(eq + 1);
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
        std::string u;
        for (size_t i = 1; i + 1 < v.size(); ++i) {
          if (v[i] == '\\' && i + 2 < v.size()) ++i;
          u += v[i];
        }
        v = u;
      }
      out.build.emplace_back(f[1].substr(0, eq), v);
    }
    if (f.size() >= 4 && f[0] == "dep") out.dep_sums[f[1]] = f[3];
  }
  return out;
}

TEST(GoBuildSettings, MainModuleCarriesGoVersionMBuildSettingsIntoJsonAndCycloneDx) {
  BW_REQUIRE_COMMAND("go");
  BW_REQUIRE_COMMAND("git");
  testing::TempDir tmp;
  const fs::path d = tmp.path();
  fs::create_directories(d / "proxy/example.com/greet/@v");
  fs::create_directories(d / "src");
  testing::write_file(d / "src/go.mod",
                      "module example.com/tool\n\ngo 1.19\n\nrequire example.com/greet v1.2.3\n");
  testing::write_file(
      d / "src/main.go",
      "package main\n\nimport (\n\t\"example.com/greet\"\n\t\"fmt\"\n)\n\n"
      "var version = \"dev\"\n\nfunc main() { fmt.Println(greet.Hello(), version) }\n");
  // A file:// module proxy, so go.sum and the build info carry real h1: sums.
  testing::write_file(d / "mkproxy.py", R"(
import zipfile, sys
base = sys.argv[1] + '/proxy/example.com/greet/@v/'
open(base + 'list', 'w').write('v1.2.3\n')
open(base + 'v1.2.3.info', 'w').write('{"Version":"v1.2.3","Time":"2023-01-02T03:04:05Z"}\n')
mod = 'module example.com/greet\n\ngo 1.19\n'
open(base + 'v1.2.3.mod', 'w').write(mod)
with zipfile.ZipFile(base + 'v1.2.3.zip', 'w') as z:
    z.writestr('example.com/greet@v1.2.3/go.mod', mod)
    z.writestr('example.com/greet@v1.2.3/greet.go', 'package greet\n\nfunc Hello() string { return "hi" }\n')
)");
  run_ok("python3 '" + (d / "mkproxy.py").string() + "' '" + d.string() + "'");
  const std::string env =
      "cd '" + d.string() + "/src' && export GOFLAGS=-mod=mod GOPROXY=file://" + d.string() +
      "/proxy GOSUMDB=off GOCACHE=" +
      (fs::temp_directory_path() / "bulwark-test-go-build-cache").string() +
      " GOMODCACHE=" + d.string() + "/modcache HOME=" + d.string() +
      " GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid GIT_COMMITTER_NAME=t "
      "GIT_COMMITTER_EMAIL=t@example.invalid && ";
  run_ok(env + "go mod tidy && git init -q . && git add -A && git commit -qm init && " +
         "CGO_ENABLED=0 go build -buildvcs=true -ldflags='-s -X main.version=1.0.0' "
         "-o ../tool . && go clean -modcache");
  const std::string bin = (d / "tool").string();
  auto ref = go_version_m(bin);
  std::string revision = std::string(core::trim(run_ok(env + "git rev-parse HEAD")));
  // The reference itself has what the issue asks for.
  std::map<std::string, std::string> ref_map(ref.build.begin(), ref.build.end());
  ASSERT_EQ(ref_map["vcs.revision"], revision);
  ASSERT_EQ(ref_map["-ldflags"], "-s -X main.version=1.0.0");
  ASSERT_EQ(ref_map["CGO_ENABLED"], "0");
  ASSERT_TRUE(ref_map.count("vcs.time") == 1 && ref_map.count("GOOS") == 1 &&
              ref_map.count("GOARCH") == 1 && ref_map.count("-compiler") == 1);

  ImageBuilder b;
  b.layer({TarEntry::file("usr/local/bin/tool", testing::read_file(bin), 0755)});
  b.write_oci_layout(tmp.str() + "/img");
  auto sbom = lang_test::scan(tmp.str() + "/img");
  auto pkgs = lang_test::of(sbom, "golang");
  ASSERT_EQ(pkgs.size(), 3U);  // stdlib, the main module, greet
  for (const auto& p : pkgs) {
    const auto* m = std::get_if<core::GoMetadata>(&p.metadata);
    ASSERT_NE(m, nullptr) << p.name;
    EXPECT_EQ(m->go_version, ref.go_version) << p.name;
    EXPECT_EQ(m->main_path, ref.main_path) << p.name;
    if (p.name == "example.com/tool") {
      EXPECT_TRUE(m->main_module);
      EXPECT_EQ(m->build_settings, ref.build);
    } else {
      EXPECT_FALSE(m->main_module) << p.name;
      EXPECT_TRUE(m->build_settings.empty()) << p.name;
      EXPECT_EQ(m->sum, p.name == "stdlib" ? "" : ref.dep_sums.at(p.name)) << p.name;
    }
  }

  auto r = report_of(sbom);
  auto native = json::parse(report::write_json(r));
  bool main_seen = false;
  for (const auto& p : native.at("packages")) {
    if (p.at("name") != "example.com/tool") continue;
    main_seen = true;
    const auto& m = p.at("metadata");
    EXPECT_EQ(m.at("type"), "go");
    EXPECT_EQ(m.at("main_module"), true);
    EXPECT_EQ(m.at("build_settings").at("vcs.revision"), revision);
    EXPECT_EQ(m.at("build_settings").at("-ldflags"), "-s -X main.version=1.0.0");
    EXPECT_EQ(m.at("build_settings").size(), ref_map.size());
  }
  EXPECT_TRUE(main_seen);
  auto props = cdx_properties(r);
  auto one = [](const std::multimap<std::string, std::string>& m, const std::string& k) {
    auto it = m.find(k);
    return it == m.end() ? std::string("<none>") : it->second;
  };
  const auto& tool = props["example.com/tool"];
  EXPECT_EQ(one(tool, "bulwark:go:module"), "main");
  EXPECT_EQ(one(tool, "bulwark:go:build:vcs.revision"), revision);
  EXPECT_EQ(one(tool, "bulwark:go:build:vcs.time"), ref_map["vcs.time"]);
  EXPECT_EQ(one(tool, "bulwark:go:build:GOOS"), ref_map["GOOS"]);
  EXPECT_EQ(one(tool, "bulwark:go:build:GOARCH"), ref_map["GOARCH"]);
  EXPECT_EQ(one(tool, "bulwark:go:build:CGO_ENABLED"), "0");
  EXPECT_EQ(one(tool, "bulwark:go:build:-compiler"), ref_map["-compiler"]);
  EXPECT_EQ(one(tool, "bulwark:go:build:-ldflags"), "-s -X main.version=1.0.0");
  EXPECT_EQ(one(tool, "bulwark:go:toolchain"), ref.go_version);
  const auto& greet = props["example.com/greet"];
  EXPECT_EQ(one(greet, "bulwark:go:module"), "dependency");
  EXPECT_EQ(one(greet, "bulwark:go:sum"), ref.dep_sums.at("example.com/greet"));
  for (const auto& [k, v] : greet) EXPECT_FALSE(k.starts_with("bulwark:go:build:")) << k;
  EXPECT_EQ(one(props["stdlib"], "bulwark:go:module"), "stdlib");
  expect_valid_reports(r);

  // The layer cache and the analysis cache encode packages with image::put_package.
  for (const auto& p : pkgs) {
    core::BinaryWriter w;
    image::put_package(w, p);
    auto bytes = w.take();
    core::BinaryReader rd(bytes);
    auto back = image::get_package(rd);
    ASSERT_TRUE(back.ok()) << back.error().message();
    EXPECT_EQ(*back, p) << p.name;
    EXPECT_TRUE(rd.at_end());
    for (size_t cut = 0; cut < bytes.size(); cut += 5) {
      core::BinaryReader part(std::string_view(bytes).substr(0, cut));
      EXPECT_FALSE(image::get_package(part).ok()) << cut;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Composer dev flag

TEST(ComposerDevFlag, DevPackagesAreThoseComposerShowNoDevLeavesOutInJsonAndCycloneDx) {
  BW_REQUIRE_COMMAND("composer");
  testing::TempDir tmp;
  auto pkgs_dir = tmp.path() / "src/pkgs";
  auto app = tmp.path() / "srv/app";
  fs::create_directories(app);
  auto pkg = [&](const std::string& dir, const std::string& j) {
    fs::create_directories(pkgs_dir / dir);
    testing::write_file(pkgs_dir / dir / "composer.json", j);
  };
  pkg("a", R"({"name":"acme/alpha","version":"1.2.3","require":{"acme/beta":"^2.0"}})");
  pkg("b", R"({"name":"acme/beta","version":"2.0.1"})");
  pkg("c", R"({"name":"acme/gamma","version":"v0.9.0","require":{"acme/delta":"^3.0"}})");
  pkg("d", R"({"name":"acme/delta","version":"3.1.0"})");
  testing::write_file(
      app / "composer.json",
      R"({"name":"acme/app","repositories":[{"type":"path","url":"../../src/pkgs/*",)"
      R"("options":{"symlink":false}},{"packagist.org":false}],)"
      R"("require":{"acme/alpha":"^1.2"},"require-dev":{"acme/gamma":"^0.9"}})");
  const std::string composer = "cd '" + app.string() + "' && COMPOSER_HOME='" +
                               (tmp.path() / "home").string() +
                               "' COMPOSER_NO_INTERACTION=1 composer";
  run_ok(composer + " update --no-plugins --no-scripts");
  auto names = [&](const std::string& args) {
    std::string out;
    EXPECT_EQ(testing::run_command(composer + " " + args + " --format=json 2>/dev/null", &out), 0);
    std::set<std::string> n;
    auto doc = json::parse(out);
    for (const auto& p : doc.at("installed")) {
      n.insert(p.at("name").get<std::string>());
    }
    return n;
  };
  auto all = names("show");
  auto no_dev = names("show --no-dev");
  std::set<std::string> dev_ref;
  for (const auto& n : all) {
    if (no_dev.count(n) == 0) dev_ref.insert(n);
  }
  ASSERT_EQ(dev_ref, (std::set<std::string>{"acme/delta", "acme/gamma"}))
      << ::testing::PrintToString(all) << " " << ::testing::PrintToString(no_dev);

  auto sbom = lang_test::scan("dir:" + tmp.str());
  auto pkgs = lang_test::of(sbom, "composer");
  ASSERT_EQ(pkgs.size(), 4U);
  std::set<std::string> dev_ours;
  for (const auto& p : pkgs) {
    ASSERT_EQ(p.locations.size(), 2U) << p.name;  // composer.lock and installed.json agree
    const auto* m = std::get_if<core::LanguageMetadata>(&p.metadata);
    ASSERT_NE(m, nullptr) << p.name;
    if (m->dev) dev_ours.insert(p.name);
  }
  EXPECT_EQ(dev_ours, dev_ref);

  auto r = report_of(sbom);
  auto native = json::parse(report::write_json(r));
  std::set<std::string> dev_json;
  for (const auto& p : native.at("packages")) {
    EXPECT_EQ(p.at("metadata").at("type"), "language");
    if (p.at("metadata").at("dev") == true) dev_json.insert(p.at("name").get<std::string>());
  }
  EXPECT_EQ(dev_json, dev_ref);
  std::set<std::string> dev_cdx;
  for (const auto& [name, props] : cdx_properties(r)) {
    auto it = props.find("bulwark:lock:dev");
    if (it != props.end() && it->second == "true") dev_cdx.insert(name);
  }
  EXPECT_EQ(dev_cdx, dev_ref);
  expect_valid_reports(r);
}

// ---------------------------------------------------------------------------------------------
// Binary identifier and OS package ownership

std::string debian_upstream(const std::string& package) {
  std::string v;
  EXPECT_EQ(testing::run_command("dpkg-query -W -f '${Version}' " + package, &v), 0) << package;
  if (auto colon = v.find(':'); colon != std::string::npos) v = v.substr(colon + 1);
  if (auto dash = v.rfind('-'); dash != std::string::npos) v = v.substr(0, dash);
  return v;
}

std::vector<std::string> generic_paths(const Sbom& sbom) {
  std::vector<std::string> out;
  for (const auto& p : lang_test::of(sbom, "generic")) {
    for (const auto& l : p.locations) out.push_back(p.name + " " + l.path);
  }
  return out;
}

// An Alpine image: apk-tools' own database (tests/fixtures/apk) says package busybox owns
// bin/busybox; a copy in usr/local/bin is nobody's.
TEST(BinaryOwnership, ApkOwnedBusyboxIsLeftToApkAndTheHandCopiedOneIsReported) {
  BW_REQUIRE_COMMAND("dpkg-query");
  if (!fs::exists("/usr/bin/busybox")) BW_SKIP_OR_FAIL("busybox not installed");
  auto db = testing::read_file(std::string(BULWARK_SOURCE_DIR) +
                               "/tests/fixtures/apk/alpine-3.19-installed");
  ASSERT_NE(db.find("P:busybox\n"), std::string::npos);
  auto busybox = testing::read_file("/usr/bin/busybox");
  testing::TempDir tmp;
  ImageBuilder b;
  b.layer({TarEntry::file("etc/os-release", "ID=alpine\nVERSION_ID=3.19.1\n"),
           TarEntry::file("lib/apk/db/installed", db),
           TarEntry::file("bin/busybox", busybox, 0755)});
  b.layer({TarEntry::file("usr/local/bin/busybox", busybox, 0755)});
  b.write_oci_layout(tmp.str() + "/img");
  auto sbom = lang_test::scan(tmp.str() + "/img");
  bool apk_busybox = false;
  for (const auto& p : lang_test::of(sbom, "apk")) {
    if (p.name != "busybox") continue;
    apk_busybox = std::find(p.files.begin(), p.files.end(), "bin/busybox") != p.files.end();
  }
  ASSERT_TRUE(apk_busybox);
  EXPECT_EQ(generic_paths(sbom),
            std::vector<std::string>{"busybox " + std::string("usr/local/bin/busybox")});
  for (const auto& p : lang_test::of(sbom, "generic"))
    EXPECT_EQ(p.version, debian_upstream("busybox"));
}

// A RHEL-style image: an rpm built here with rpmbuild installs usr/bin/python3.11 (Debian's
// real interpreter) and `rpm -i` records it in a sqlite rpmdb; a hand copy sits in /usr/local.
TEST(BinaryOwnership, RpmOwnedPythonIsLeftToRpmAndTheHandCopiedOneIsReported) {
  BW_REQUIRE_COMMAND("rpmbuild");
  BW_REQUIRE_COMMAND("rpm");
  BW_REQUIRE_COMMAND("dpkg-query");
  if (!fs::exists("/usr/bin/python3.11")) BW_SKIP_OR_FAIL("python3.11 not installed");
  testing::TempDir tmp;
  const fs::path d = tmp.path();
  fs::create_directories(d / "payload");
  fs::copy_file("/usr/bin/python3.11", d / "payload/python3.11");
  testing::write_file(d / "python.spec",
                      "Name: bw-python3.11\nVersion: " + debian_upstream("python3.11") +
                          "\nRelease: 1.el9\nSummary: python\nLicense: "
                          "Python-2.0.1\nBuildArch: x86_64\n"
                          "%define debug_package %{nil}\n%description\n"
                          "python\n%install\nmkdir -p %{buildroot}/usr/bin\n"
                          "install -m 0755 " +
                          (d / "payload/python3.11").string() +
                          " %{buildroot}/usr/bin/python3.11\n%files\n"
                          "/usr/bin/python3.11\n");
  const std::string top = (d / "top").string();
  run_ok("rpmbuild -bb --quiet --define '_topdir " + top +
         "' --define '__os_install_post %{nil}' '" + (d / "python.spec").string() + "'");
  const fs::path root = d / "root";
  fs::create_directories(root);
  run_ok("rpm --root '" + root.string() +
         "' --dbpath /var/lib/rpm --define '_db_backend sqlite' -i --nodeps --noscripts "
         "--force-debian $(find '" +
         top + "/RPMS' -name '*.rpm')");
  // rpm's own answer: the file belongs to the package.
  auto owner = run_ok("rpm --root '" + root.string() +
                      "' --dbpath /var/lib/rpm -qf /usr/bin/python3.11 --qf '%{NAME}'");
  ASSERT_EQ(owner, "bw-python3.11");
  auto python = testing::read_file("/usr/bin/python3.11");
  ASSERT_EQ(testing::read_file(root / "usr/bin/python3.11"), python);

  ImageBuilder b;
  b.layer({TarEntry::file("etc/os-release", "ID=rhel\nVERSION_ID=9.3\n"),
           TarEntry::file("var/lib/rpm/rpmdb.sqlite",
                          testing::read_file(root / "var/lib/rpm/rpmdb.sqlite")),
           TarEntry::file("usr/bin/python3.11", python, 0755)});
  b.layer({TarEntry::file("usr/local/bin/python3.11", python, 0755)});
  b.write_oci_layout(tmp.str() + "/img");
  auto sbom = lang_test::scan(tmp.str() + "/img");
  ASSERT_EQ(lang_test::of(sbom, "rpm").size(), 1U);
  EXPECT_EQ(generic_paths(sbom),
            std::vector<std::string>{"python " + std::string("usr/local/bin/python3.11")});
  for (const auto& p : lang_test::of(sbom, "generic")) {
    EXPECT_EQ(p.version, debian_upstream("python3.11"));
  }
}

}  // namespace
}  // namespace bulwark::catalog
