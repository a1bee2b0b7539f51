// The corpus image debian-app (../shared/corpus/build.sh) carries Debian's Java libraries and
// the Go-built gosu. Every jar and Go binary in it is cataloged as the references read them:
// python's tarfile + zipfile for the pom.properties, `go version -m` for the Go build info.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "catalog/catalogers.hpp"
#include "catalog/sbom.hpp"
#include "image/image.hpp"
#include "support/test_env.hpp"

namespace bulwark::catalog {
namespace {

namespace fs = std::filesystem;
using Ids = std::set<std::pair<std::string, std::string>>;

TEST(LangBinCorpus, DebianAppJarsAndGoBinariesMatchTheReferences) {
  std::string why;
  auto dir = testing::corpus_dir(&why);
  if (!dir) BW_SKIP_OR_FAIL(why);
  BW_REQUIRE_COMMAND("go");
  BW_REQUIRE_COMMAND("python3");
  auto archive = *dir / "debian-app.docker.tar";
  if (!fs::exists(archive)) BW_SKIP_OR_FAIL("corpus has no debian-app.docker.tar");
  testing::TempDir tmp;
  testing::write_file(tmp.path() / "ref.py", R"(
import io, re, sys, tarfile, zipfile, os
outer = tarfile.open(sys.argv[1])
files = {}
for m in outer.getmembers():
    if not m.isfile() or not m.name.endswith('.tar'): continue
    layer = tarfile.open(fileobj=outer.extractfile(m))
    for e in layer.getmembers():
        name = e.name.lstrip('./')
        if e.isfile(): files[name] = (e, layer)
        elif name in files: del files[name]
for name, (e, layer) in sorted(files.items()):
    data = None
    if name.endswith('.jar'):
        data = layer.extractfile(e).read()
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for n in z.namelist():
                if re.fullmatch(r'META-INF/maven/[^/]+/[^/]+/pom\.properties', n):
                    props = dict(l.split('=', 1) for l in z.read(n).decode().splitlines() if '=' in l and not l.startswith('#'))
                    print('maven\t%s\t%s:%s\t%s' % (name, props['groupId'].strip(), props['artifactId'].strip(), props['version'].strip()))
    elif e.mode & 0o111 and e.size > 64:
        data = layer.extractfile(e).read()
        if data.startswith(b'\x7fELF') and b'\xff Go buildinf:' in data:
            out = os.path.join(sys.argv[2], name.replace('/', '_'))
            open(out, 'wb').write(data)
            os.chmod(out, 0o755)  # go version -m reads executables only
            print('go\t%s\t%s' % (name, out))
)");
  std::string ref;
  ASSERT_EQ(testing::run_command(
                "python3 '" + tmp.str() + "/ref.py' '" + archive.string() + "' '" + tmp.str() + "'",
                &ref),
            0);
  std::map<std::string, Ids> want_maven, want_go;
  std::istringstream in(ref);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string part;
    while (std::getline(ss, part, '\t')) f.push_back(part);
    if (f[0] == "maven" && f.size() == 4) want_maven[f[1]].emplace(f[2], f[3]);
    if (f[0] != "go" || f.size() != 3) continue;
    std::string out;
    ASSERT_EQ(testing::run_command("go version -m '" + f[2] + "'", &out), 0);
    std::istringstream gin(out);
    std::string gl;
    std::getline(gin, gl);
    ASSERT_NE(gl.find(" go"), std::string::npos) << out;
    auto& ids = want_go[f[1]];
    ids.emplace("stdlib", gl.substr(gl.rfind(" go") + 3));
    while (std::getline(gin, gl)) {
      std::vector<std::string> g;
      std::stringstream gs(gl);
      while (std::getline(gs, part, '\t')) {
        if (!part.empty()) g.push_back(part);
      }
      if (!g.empty() && (g[0] == "mod" || g[0] == "dep") && g.size() >= 3) ids.emplace(g[1], g[2]);
    }
  }
  ASSERT_GE(want_maven.size(), 3U) << ref;
  ASSERT_GE(want_go.size(), 1U) << ref;

  auto img = image::open_image(archive.string(), {});
  ASSERT_TRUE(img.ok()) << img.error().message();
  auto catalogers = all_catalogers();
  std::vector<const image::Analyzer*> analyzers;
  for (const auto& c : catalogers) analyzers.push_back(c.get());
  auto layers = image::read_layers(*img, analyzers, {});
  ASSERT_TRUE(layers.ok()) << layers.error().message();
  auto sbom = build_sbom(*img, *layers, catalogers);
  std::map<std::string, Ids> got_maven, got_go;
  for (const auto& p : sbom.packages) {
    if (p.ecosystem == "maven") got_maven[p.locations.at(0).path].emplace(p.name, p.version);
    if (p.ecosystem == "golang") got_go[p.locations.at(0).path].emplace(p.name, p.version);
  }
  for (const auto& [path, ids] : want_maven) EXPECT_EQ(got_maven[path], ids) << path;
  EXPECT_EQ(got_go, want_go);
  for (const auto& w : sbom.warnings) {
    EXPECT_EQ(w.find("java-archive"), std::string::npos) << w;
    EXPECT_EQ(w.find("go-binary"), std::string::npos) << w;
  }
  std::cout << "debian-app: " << want_maven.size() << " jars with pom.properties, "
            << want_go.size() << " Go binaries\n";
}

}  // namespace
}  // namespace bulwark::catalog
