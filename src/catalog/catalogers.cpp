// The one registration list (STYLE.md): adding a cataloger is its own file plus one line here.
// Order matters only for evidence paths two catalogers both claim: the first one owns them.
#include "catalog/catalogers.hpp"

#include <set>
#include <stdexcept>

#include "catalog/apk.hpp"
#include "catalog/cargo.hpp"
#include "catalog/dpkg.hpp"
#include "catalog/go_binary.hpp"
#include "catalog/go_mod.hpp"
#include "catalog/java.hpp"
#include "catalog/os_release.hpp"
#include "catalog/rpm.hpp"

namespace bulwark::catalog {

std::vector<std::unique_ptr<Cataloger>> all_catalogers() {
  std::vector<std::unique_ptr<Cataloger>> list;
  list.push_back(std::make_unique<OsReleaseCataloger>());
  list.push_back(std::make_unique<DpkgCataloger>());
  list.push_back(std::make_unique<ApkCataloger>());
  list.push_back(std::make_unique<RpmCataloger>());
  list.push_back(std::make_unique<JavaArchiveCataloger>());
  list.push_back(std::make_unique<GoModCataloger>());
  list.push_back(std::make_unique<CargoLockCataloger>());
  // Catch-all executable catalogers last: their "" prefix would otherwise claim the evidence
  // paths of every cataloger after them.
  list.push_back(std::make_unique<GoBinaryCataloger>());
  list.push_back(std::make_unique<CargoAuditableCataloger>());

  std::set<std::string_view> names;
  for (const auto& c : list) {
    if (!names.insert(c->name()).second) {
      throw std::logic_error("duplicate cataloger name: " +
                             std::string(c->name()));  // a programming error
    }
  }
  return list;
}

}  // namespace bulwark::catalog
