// The one registration list (STYLE.md): adding a cataloger is its own file plus one line here.
// Order matters only for evidence paths two catalogers both claim: the first one owns them.
#include "catalog/catalogers.hpp"

#include <set>
#include <stdexcept>

#include "catalog/apk.hpp"
#include "catalog/binary_identifier.hpp"
#include "catalog/composer.hpp"
#include "catalog/dotnet.hpp"
#include "catalog/dpkg.hpp"
#include "catalog/os_release.hpp"
#include "catalog/rpm.hpp"
#include "catalog/ruby.hpp"

namespace bulwark::catalog {

std::vector<std::unique_ptr<Cataloger>> all_catalogers() {
  std::vector<std::unique_ptr<Cataloger>> list;
  list.push_back(std::make_unique<OsReleaseCataloger>());
  list.push_back(std::make_unique<DpkgCataloger>());
  list.push_back(std::make_unique<ApkCataloger>());
  list.push_back(std::make_unique<RpmCataloger>());
  list.push_back(std::make_unique<GemspecCataloger>());
  list.push_back(std::make_unique<GemfileLockCataloger>());
  list.push_back(std::make_unique<ComposerCataloger>());
  list.push_back(std::make_unique<DotnetCataloger>());
  list.push_back(std::make_unique<BinaryIdentifierCataloger>());

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
