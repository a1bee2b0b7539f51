#include "catalog/java.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "catalog/catalogers.hpp"
#include "catalog/sbom.hpp"
#include "catalog/zip_reader.hpp"
#include "core/limits.hpp"
#include "image/image.hpp"
#include "support/image_builder.hpp"
#include "support/test_env.hpp"

namespace bulwark::catalog {
namespace {

namespace fs = std::filesystem;
using Ids = std::set<std::pair<std::string, std::string>>;  // (groupId:artifactId, version)

Ids ids(const std::vector<core::Package>& pkgs) {
  Ids out;
  for (const auto& p : pkgs) out.emplace(p.name, p.version);
  return out;
}

std::string slurp(const fs::path& p) {
  return testing::read_file(p);
}

// Runs a python3 program (zipfile builds and reads the archives: an independent reader).
std::string python(const testing::TempDir& tmp, const std::string& program) {
  testing::write_file(tmp.path() / "prog.py", program);
  std::string out;
  EXPECT_EQ(testing::run_command("cd '" + tmp.str() + "' && python3 prog.py", &out), 0);
  return out;
}

class ScopedLimits {
 public:
  explicit ScopedLimits(const core::Limits& l) : saved_(core::limits()) { core::set_limits(l); }
  ~ScopedLimits() { core::set_limits(saved_); }

 private:
  core::Limits saved_;
};

TEST(JavaArchive, ReadsPropertiesAndManifestSyntax) {
  auto p = parse_java_properties(
      "# comment\n! other\n  groupId = org.example\nartifactId:demo\nversion 1.0\\\n    .2\n"
      "key\\=with\\:seps=v\\u00e9\n");
  EXPECT_EQ(p["groupId"], "org.example");
  EXPECT_EQ(p["artifactId"], "demo");
  EXPECT_EQ(p["version"], "1.0.2");
  EXPECT_EQ(p["key=with:seps"], "v\xc3\xa9");
  auto m = parse_jar_manifest(
      "Manifest-Version: 1.0\r\nImplementation-Title: a-very-long-title-that-the-jar-tool-wr\r\n "
      "apped\r\nImplementation-Version: 3.4\r\n\r\nName: org/x/\r\nImplementation-Version: 9\r\n");
  EXPECT_EQ(m["Implementation-Title"], "a-very-long-title-that-the-jar-tool-wrapped");
  EXPECT_EQ(m["Implementation-Version"], "3.4");  // per-entry sections do not override
}

TEST(JavaArchive, SplitsVersionFromFileNameAtTheLastDashDigit) {
  auto a = split_archive_file_name("log4j-1.2-api-2.17.1.jar");
  EXPECT_EQ(a.name, "log4j-1.2-api");
  EXPECT_EQ(a.version, "2.17.1");
  auto b = split_archive_file_name("guava-31.1-jre.jar");
  EXPECT_EQ(b.name, "guava");
  EXPECT_EQ(b.version, "31.1-jre");
  auto c = split_archive_file_name("commons-compress.jar");
  EXPECT_EQ(c.name, "commons-compress");
  EXPECT_EQ(c.version, "");
}

TEST(JavaArchive, NormalisesEntryNamesAndFlagsTraversal) {
  EXPECT_EQ(normalize_zip_name("./a//b/./c").path, "a/b/c");
  EXPECT_FALSE(normalize_zip_name("a/../b").escapes);
  EXPECT_TRUE(normalize_zip_name("../../etc/passwd").escapes);
  EXPECT_TRUE(normalize_zip_name("a/../../x").escapes);
  EXPECT_TRUE(normalize_zip_name("/abs/x").escapes);
  EXPECT_TRUE(normalize_zip_name("..\\..\\win").escapes);
  EXPECT_TRUE(normalize_zip_name("C:/x").escapes);
}

// Differential: every regular jar Debian installed in /usr/share/java against the
// pom.properties it carries, read by python's zipfile.
TEST(JavaArchive, DebianJarsMatchThePomPropertiesTheyCarry) {
  if (!fs::exists("/usr/share/java/commons-compress.jar") ||
      !fs::exists("/usr/share/java/jackson-core.jar")) {
    BW_SKIP_OR_FAIL("libcommons-compress-java and libjackson2-core-java not installed");
  }
  BW_REQUIRE_COMMAND("python3");
  testing::TempDir tmp;
  auto ref = python(tmp, R"(
import glob, os, re, zipfile
for jar in sorted(glob.glob('/usr/share/java/*.jar')):
    if os.path.islink(jar): continue
    with zipfile.ZipFile(jar) as z:
        for n in z.namelist():
            if re.fullmatch(r'META-INF/maven/[^/]+/[^/]+/pom\.properties', n):
                props = {}
                for line in z.read(n).decode('utf-8', 'replace').splitlines():
                    line = line.strip()
                    if not line or line[0] in '#!': continue
                    k, _, v = line.partition('=')
                    props[k.strip()] = v.strip()
                print('%s\t%s:%s\t%s' % (jar, props.get('groupId'), props.get('artifactId'), props.get('version')))
)");
  std::map<std::string, Ids> expected;
  std::istringstream in(ref);
  std::string line;
  while (std::getline(in, line)) {
    auto t1 = line.find('\t');
    auto t2 = line.find('\t', t1 + 1);
    expected[line.substr(0, t1)].emplace(line.substr(t1 + 1, t2 - t1 - 1), line.substr(t2 + 1));
  }
  ASSERT_GE(expected.size(), 2U);
  EXPECT_TRUE(expected.count("/usr/share/java/commons-compress.jar"));
  EXPECT_TRUE(expected.count("/usr/share/java/jackson-core.jar"));
  size_t jars = 0, poms = 0;
  for (const auto& [jar, want] : expected) {
    auto parsed = parse_java_archive(slurp(jar), fs::path(jar).filename().string());
    ASSERT_TRUE(parsed.ok()) << jar << ": " << parsed.error().message();
    EXPECT_TRUE(parsed->warnings.empty()) << jar << ": " << parsed->warnings.front();
    EXPECT_EQ(ids(parsed->packages), want) << jar;
    ++jars;
    poms += want.size();
  }
  std::cout << "compared " << jars << " Debian jars, " << poms << " pom.properties\n";
  auto cc =
      parse_java_archive(slurp("/usr/share/java/commons-compress.jar"), "commons-compress.jar");
  ASSERT_TRUE(cc.ok());
  ASSERT_EQ(cc->packages.size(), 1U);
  EXPECT_EQ(cc->packages[0].purl, "pkg:maven/org.apache.commons/commons-compress@1.22");
}

// A Spring-Boot-style fat jar with nested libraries (a real Debian jar, a shaded jar with
// several poms, a manifest-only jar, a name-only jar, a corrupt jar), an ear holding a war
// holding a jar, an executable jar with a launch script in front, and a path traversal entry.
class FatJar : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists("/usr/share/java/jackson-core.jar")) {
      BW_SKIP_OR_FAIL("libjackson2-core-java not installed");
    }
    if (!testing::have_command("python3")) BW_SKIP_OR_FAIL("python3 not installed");
    python(tmp_, R"(
import io, zipfile
def jar(entries, stored=False):
    b = io.BytesIO()
    with zipfile.ZipFile(b, 'w', zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as z:
        for n, d in entries: z.writestr(n, d)
    return b.getvalue()
def pom(g, a, v): return 'META-INF/maven/%s/%s/pom.properties' % (g, a), 'groupId=%s\nartifactId=%s\nversion=%s\n' % (g, a, v)
shaded = jar([pom('com.example', 'shaded-app', '1.0'), pom('com.google.guava', 'guava', '31.1-jre'),
              pom('org.slf4j', 'slf4j-api', '1.7.32'), ('com/google/common/Foo.class', b'\xca\xfe')])
manifest_only = jar([('META-INF/MANIFEST.MF', 'Manifest-Version: 1.0\r\nImplementation-Title: mylib\r\n'
                      'Implementation-Version: 2.3.4\r\nImplementation-Vendor-Id: org.example\r\n'
                      'Bundle-License: Apache-2.0\r\n\r\n')])
name_only = jar([('p/Plain.class', b'\xca\xfe\xba\xbe')])
fat = jar([('META-INF/MANIFEST.MF', 'Manifest-Version: 1.0\r\nMain-Class: org.springframework.boot.loader.JarLauncher\r\n'
            'Start-Class: com.example.Demo\r\nImplementation-Title: demo\r\nImplementation-Version: 0.0.1-SNAPSHOT\r\n\r\n'),
           pom('com.example', 'demo', '0.0.1-SNAPSHOT'),
           ('BOOT-INF/classes/com/example/Demo.class', b'\xca\xfe'),
           ('BOOT-INF/lib/jackson-core-2.14.1.jar', open('/usr/share/java/jackson-core.jar', 'rb').read()),
           ('BOOT-INF/lib/shaded-app-1.0.jar', shaded),
           ('BOOT-INF/lib/mylib-2.3.4.jar', manifest_only),
           ('BOOT-INF/lib/plain-5.6.7.jar', name_only),
           ('BOOT-INF/lib/broken-1.0.jar', b'PK\x03\x04 this is not really a zip file at all'),
           ('../../../../tmp/evil-6.6.6.jar', name_only)], stored=True)
open('app.jar', 'wb').write(fat)
war = jar([('WEB-INF/lib/shaded-app-1.0.jar', shaded), ('WEB-INF/web.xml', '<web-app/>')])
open('app.ear', 'wb').write(jar([('web.war', war), ('META-INF/application.xml', '<application/>')]))
open('exec.jar', 'wb').write(b'#!/bin/bash\nexec java -jar "$0" "$@"\n' + fat)
)");
  }
  testing::TempDir tmp_;
};

const Ids kFatJarIds = {{"com.example:demo", "0.0.1-SNAPSHOT"},
                        {"com.fasterxml.jackson.core:jackson-core", "2.14.1"},
                        {"com.example:shaded-app", "1.0"},
                        {"com.google.guava:guava", "31.1-jre"},
                        {"org.slf4j:slf4j-api", "1.7.32"},
                        {"org.example:mylib", "2.3.4"},
                        {"plain", "5.6.7"}};

TEST_F(FatJar, FindsEveryNestedLibraryAndEveryShadedPom) {
  auto r = parse_java_archive(slurp(tmp_.path() / "app.jar"), "app.jar");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(ids(r->packages), kFatJarIds);
  for (const auto& p : r->packages) {
    if (p.name == "org.example:mylib") {
      EXPECT_EQ(p.purl, "pkg:maven/org.example/mylib@2.3.4");
      EXPECT_EQ(p.licenses, std::vector<std::string>{"Apache-2.0"});
    }
    if (p.name == "com.google.guava:guava") {
      EXPECT_EQ(p.purl, "pkg:maven/com.google.guava/guava@31.1-jre");
    }
  }
  // The corrupt library and the traversal entry are warnings; nothing else is.
  ASSERT_EQ(r->warnings.size(), 2U);
  bool broken = false, traversal = false;
  for (const auto& w : r->warnings) {
    broken |= w.starts_with("BOOT-INF/lib/broken-1.0.jar: zip:");
    traversal |= w.find("../../../../tmp/evil-6.6.6.jar") != std::string::npos &&
                 w.find("path traversal") != std::string::npos;
  }
  EXPECT_TRUE(broken) << r->warnings[0];
  EXPECT_TRUE(traversal) << r->warnings[1];
}

TEST_F(FatJar, ReadsEarWarJarNesting) {
  auto r = parse_java_archive(slurp(tmp_.path() / "app.ear"), "app.ear");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(ids(r->packages), (Ids{{"com.example:shaded-app", "1.0"},
                                   {"com.google.guava:guava", "31.1-jre"},
                                   {"org.slf4j:slf4j-api", "1.7.32"}}));
  for (const auto& p : r->packages) {
    ASSERT_EQ(p.locations.size(), 1U);
    EXPECT_EQ(p.locations[0].path, "web.war!/WEB-INF/lib/shaded-app-1.0.jar");
  }
}

TEST_F(FatJar, ReadsExecutableJarsWithALaunchScriptInFront) {
  auto r = parse_java_archive(slurp(tmp_.path() / "exec.jar"), "exec.jar");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(ids(r->packages), kFatJarIds);
}

TEST_F(FatJar, ImageScanLocatesNestedPackagesInsideTheOuterJarAndWarnsOnCorruptJars) {
  testing::ImageBuilder b;
  b.layer({testing::TarEntry::file("app/app.jar", slurp(tmp_.path() / "app.jar"))});
  b.layer({testing::TarEntry::file("opt/lib/corrupt-1.0.jar", "PK\x03\x04garbage")});
  b.write_oci_layout(tmp_.str() + "/img");
  auto img = image::open_image(tmp_.str() + "/img", {});
  ASSERT_TRUE(img.ok()) << img.error().message();
  auto catalogers = all_catalogers();
  std::vector<const image::Analyzer*> analyzers;
  for (const auto& c : catalogers) analyzers.push_back(c.get());
  auto layers = image::read_layers(*img, analyzers, {});
  ASSERT_TRUE(layers.ok()) << layers.error().message();
  auto sbom = build_sbom(*img, *layers, catalogers);
  Ids found;
  // The fat jar's own pom is at the jar; each library at its path inside it.
  const std::map<std::string, std::string> where = {
      {"com.example:demo", "app/app.jar"},
      {"com.fasterxml.jackson.core:jackson-core",
       "app/app.jar!/BOOT-INF/lib/jackson-core-2.14.1.jar"},
      {"com.example:shaded-app", "app/app.jar!/BOOT-INF/lib/shaded-app-1.0.jar"},
      {"com.google.guava:guava", "app/app.jar!/BOOT-INF/lib/shaded-app-1.0.jar"},
      {"org.slf4j:slf4j-api", "app/app.jar!/BOOT-INF/lib/shaded-app-1.0.jar"},
      {"org.example:mylib", "app/app.jar!/BOOT-INF/lib/mylib-2.3.4.jar"},
      {"plain", "app/app.jar!/BOOT-INF/lib/plain-5.6.7.jar"}};
  for (const auto& p : sbom.packages) {
    if (p.ecosystem != "maven") continue;
    found.emplace(p.name, p.version);
    ASSERT_EQ(p.locations.size(), 1U);
    EXPECT_EQ(p.locations[0].path, where.at(p.name));
    EXPECT_EQ(p.locations[0].layer_index, 0);
    EXPECT_TRUE(p.locations[0].layer_digest.starts_with("sha256:"));
  }
  EXPECT_EQ(found, kFatJarIds);
  bool corrupt = false;
  for (const auto& w : sbom.warnings) {
    corrupt |= w.starts_with("layer 2: opt/lib/corrupt-1.0.jar: java-archive: zip:");
  }
  EXPECT_TRUE(corrupt) << ::testing::PrintToString(sbom.warnings);
}

TEST(JavaArchive, ZipBombsStopAtTheRatioAndSizeLimits) {
  BW_REQUIRE_COMMAND("python3");
  testing::TempDir tmp;
  // Zeros deflate about 1000:1, so a one-level bomb sits at the default ratio; a jar holding a
  // deflated jar holding 100 MiB of zeros is far past it (42.zip's trick).
  python(tmp, R"(
import io, zipfile
def jar(entries):
    b = io.BytesIO()
    with zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for n, d in entries: z.writestr(n, d)
    return b.getvalue()
zeros = bytes(100 << 20)
open('bomb.jar', 'wb').write(jar([('lib/inner.jar', jar([('BOOT-INF/lib/zeros.jar', zeros)]))]))
# The same, with headers that claim 1000 bytes: only inflating tells the truth.
import struct
z = bytearray(jar([('BOOT-INF/lib/zeros.jar', zeros)]))
i = z.find(b'PK\x03\x04'); z[i + 22:i + 26] = struct.pack('<I', 1000)
j = z.find(b'PK\x01\x02'); z[j + 24:j + 28] = struct.pack('<I', 1000)
open('liar.jar', 'wb').write(jar([('lib/inner.jar', bytes(z))]))
open('ignored.jar', 'wb').write(jar([('zeros.bin', zeros), ('META-INF/maven/a/b/pom.properties', 'groupId=a\nartifactId=b\nversion=1\n')]))
inner = jar([('META-INF/maven/a/b/pom.properties', 'groupId=a\nartifactId=b\nversion=1\n')])
for i in range(8): inner = jar([('lib/n%d.jar' % i, inner)])
open('deep.jar', 'wb').write(inner)
)");
  auto bomb = slurp(tmp.path() / "bomb.jar");
  ASSERT_LT(bomb.size(), 64U << 10);
  {
    auto r = parse_java_archive(bomb, "bomb.jar");  // default limits: ratio 1000 after 64 MiB
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), core::ErrorCode::kLimitExceeded);
    EXPECT_NE(r.error().message().find("zip bomb"), std::string::npos) << r.error().message();
  }
  {
    core::Limits l = core::limits();
    l.max_file_read = 16 << 20;  // the absolute per-entry limit trips first
    ScopedLimits scoped(l);
    // Honest headers: the entry is skipped before inflating.
    auto r = parse_java_archive(bomb, "bomb.jar");
    ASSERT_TRUE(r.ok()) << r.error().message();
    ASSERT_EQ(r->warnings.size(), 1U);
    EXPECT_NE(r->warnings[0].find("larger than the read limit"), std::string::npos)
        << r->warnings[0];
    // Lying headers: inflating stops at the limit.
    auto liar = parse_java_archive(slurp(tmp.path() / "liar.jar"), "liar.jar");
    if (liar.ok()) {
      ASSERT_EQ(liar->warnings.size(), 1U);
      EXPECT_NE(liar->warnings[0].find("lib/inner.jar"), std::string::npos) << liar->warnings[0];
    } else {
      EXPECT_NE(liar.error().message().find("inflates past"), std::string::npos)
          << liar.error().message();
    }
  }
  // Entries nobody asked for are never inflated, however large.
  auto ignored = parse_java_archive(slurp(tmp.path() / "ignored.jar"), "ignored.jar");
  ASSERT_TRUE(ignored.ok()) << ignored.error().message();
  EXPECT_EQ(ids(ignored->packages), (Ids{{"a:b", "1"}}));
  // Archives nested past the depth limit are not opened, with a warning.
  auto deep = parse_java_archive(slurp(tmp.path() / "deep.jar"), "deep.jar");
  ASSERT_TRUE(deep.ok()) << deep.error().message();
  EXPECT_TRUE(deep->packages.empty());
  ASSERT_EQ(deep->warnings.size(), 1U);
  EXPECT_NE(deep->warnings[0].find("nested deeper than 4"), std::string::npos) << deep->warnings[0];
}

TEST(JavaArchive, GarbageAndTruncatedArchivesAreErrorsNotCrashes) {
  EXPECT_FALSE(parse_java_archive("", "e.jar").ok());
  EXPECT_FALSE(parse_java_archive("not a zip", "x.jar").ok());
  if (fs::exists("/usr/share/java/commons-compress.jar")) {
    auto real = slurp("/usr/share/java/commons-compress.jar");
    for (size_t cut : {size_t{30}, real.size() / 2, real.size() - 10}) {
      auto r = parse_java_archive(std::string_view(real).substr(0, cut), "t.jar");
      if (r.ok()) {
        EXPECT_LE(r->packages.size(), 1U);
      } else {
        EXPECT_FALSE(r.error().message().empty());
      }
    }
  }
}

}  // namespace
}  // namespace bulwark::catalog
