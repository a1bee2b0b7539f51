// The one list of catalogers (one registration line each, in catalogers.cpp), with the tags
// that `--catalogers` selects by.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/cataloger.hpp"
#include "core/result.hpp"

namespace bulwark::catalog {

// A cataloger and the tags it is selected by (besides its name): "os" or "language", the
// ecosystem ("npm", "pypi"...), the language ("javascript", "python"...). Tagged "always",
// it runs whatever the selection (OS detection).
struct Registration {
  std::unique_ptr<Cataloger> cataloger;
  std::vector<std::string> tags;
};

std::vector<Registration> registrations();

// Every cataloger, in registration order.
std::vector<std::unique_ptr<Cataloger>> all_catalogers();

// The catalogers a `--catalogers` value selects: a comma-separated list of names and tags (a
// cataloger is selected when any item names it or one of its tags), in registration order.
// Empty selects all. Unknown items are an error naming them and listing what exists.
core::Result<std::vector<std::unique_ptr<Cataloger>>> select_catalogers(std::string_view list);

}  // namespace bulwark::catalog
