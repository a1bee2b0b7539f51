// The one registration list (STYLE.md): adding a cataloger is its own file plus one line here.
// Order matters only for evidence paths two catalogers both claim: the first one owns them.
// Tags: "os" or "language"; the ecosystem and language; for language catalogers "installed"
// (what a package manager put on disk) or "declared" (lock files and pins, which may list
// packages that are not installed, e.g. lock files Debian ships in usr/share/nodejs).
#include "catalog/catalogers.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "catalog/apk.hpp"
#include "catalog/binary_identifier.hpp"
#include "catalog/cargo.hpp"
#include "catalog/composer.hpp"
#include "catalog/dotnet.hpp"
#include "catalog/dpkg.hpp"
#include "catalog/go_binary.hpp"
#include "catalog/go_mod.hpp"
#include "catalog/java.hpp"
#include "catalog/node_modules.hpp"
#include "catalog/npm_lock.hpp"
#include "catalog/os_release.hpp"
#include "catalog/pnpm_lock.hpp"
#include "catalog/python_installed.hpp"
#include "catalog/python_locks.hpp"
#include "catalog/rpm.hpp"
#include "catalog/ruby.hpp"
#include "catalog/yarn_lock.hpp"

namespace bulwark::catalog {

namespace {
template <typename T>
void add(std::vector<Registration>& list, std::vector<std::string> tags) {
  auto c = std::make_unique<T>();
  c->set_declares(std::find(tags.begin(), tags.end(), "declared") != tags.end());
  list.push_back(Registration{std::move(c), std::move(tags)});
}
}  // namespace

std::vector<Registration> registrations() {
  std::vector<Registration> list;
  add<OsReleaseCataloger>(list, {"always", "os"});
  add<DpkgCataloger>(list, {"os", "deb"});
  add<ApkCataloger>(list, {"os", "apk"});
  add<RpmCataloger>(list, {"os", "rpm"});
  add<NpmLockCataloger>(list, {"language", "javascript", "npm", "declared"});
  add<YarnLockCataloger>(list, {"language", "javascript", "npm", "yarn", "declared"});
  add<PnpmLockCataloger>(list, {"language", "javascript", "npm", "pnpm", "declared"});
  add<NodeModulesCataloger>(list, {"language", "javascript", "npm", "installed"});
  add<PythonInstalledCataloger>(list, {"language", "python", "pypi", "installed"});
  add<PythonRequirementsCataloger>(list, {"language", "python", "pypi", "declared"});
  add<PipfileLockCataloger>(list, {"language", "python", "pypi", "declared"});
  add<PoetryLockCataloger>(list, {"language", "python", "pypi", "declared"});
  add<UvLockCataloger>(list, {"language", "python", "pypi", "declared"});
  add<GemspecCataloger>(list, {"language", "ruby", "gem", "installed"});
  add<GemfileLockCataloger>(list, {"language", "ruby", "gem", "declared"});
  add<ComposerCataloger>(list, {"language", "php", "composer", "declared", "installed"});
  add<DotnetCataloger>(list, {"language", "dotnet", "nuget", "declared"});
  add<JavaArchiveCataloger>(list, {"language", "java", "maven", "installed"});
  add<GoModCataloger>(list, {"language", "go", "golang", "declared"});
  add<CargoLockCataloger>(list, {"language", "rust", "cargo", "declared"});
  add<BinaryIdentifierCataloger>(list, {"language", "binary", "installed"});
  // Catch-all executable catalogers last: their "" prefix would otherwise claim the evidence
  // paths of every cataloger after them.
  add<GoBinaryCataloger>(list, {"language", "go", "golang", "installed"});
  add<CargoAuditableCataloger>(list, {"language", "rust", "cargo", "installed"});

  std::set<std::string_view> names;
  for (const auto& r : list) {
    if (!names.insert(r.cataloger->name()).second) {
      throw std::logic_error("duplicate cataloger name: " +
                             std::string(r.cataloger->name()));  // a programming error
    }
  }
  return list;
}

std::vector<std::unique_ptr<Cataloger>> all_catalogers() {
  std::vector<std::unique_ptr<Cataloger>> out;
  for (auto& r : registrations()) out.push_back(std::move(r.cataloger));
  return out;
}

core::Result<std::vector<std::unique_ptr<Cataloger>>> select_catalogers(std::string_view list) {
  auto regs = registrations();
  std::set<std::string> wanted;
  for (size_t pos = 0; pos <= list.size();) {
    size_t comma = list.find(',', pos);
    if (comma == std::string_view::npos) comma = list.size();
    auto item = list.substr(pos, comma - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) wanted.emplace(item);
    pos = comma + 1;
  }
  std::vector<std::unique_ptr<Cataloger>> out;
  if (wanted.empty()) {
    for (auto& r : regs) out.push_back(std::move(r.cataloger));
    return out;
  }
  std::set<std::string> known;
  for (const auto& r : regs) {
    known.emplace(r.cataloger->name());
    known.insert(r.tags.begin(), r.tags.end());
  }
  known.erase("always");
  std::string unknown;
  for (const auto& w : wanted) {
    if (known.count(w) == 0) unknown += (unknown.empty() ? "" : ", ") + w;
  }
  if (!unknown.empty()) {
    std::string all;
    for (const auto& k : known) all += (all.empty() ? "" : ", ") + k;
    return core::Error::invalid("--catalogers: unknown cataloger or tag: " + unknown +
                                " (known: " + all + ")");
  }
  for (auto& r : regs) {
    bool take = wanted.count(std::string(r.cataloger->name())) != 0;
    for (const auto& t : r.tags) take = take || t == "always" || wanted.count(t) != 0;
    if (take) out.push_back(std::move(r.cataloger));
  }
  return out;
}

}  // namespace bulwark::catalog
