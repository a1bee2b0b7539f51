// The one list of catalogers (one registration line each, in catalogers.cpp).
#pragma once

#include <memory>
#include <vector>

#include "catalog/cataloger.hpp"

namespace bulwark::catalog {

std::vector<std::unique_ptr<Cataloger>> all_catalogers();

}  // namespace bulwark::catalog
