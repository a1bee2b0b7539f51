// rpm's own "ndb" backend (SUSE: SLES 15, openSUSE Leap/Tumbleweed): Packages.db, a slot table
// of (package index, block offset, block count) followed by length-framed header blobs.
#pragma once

#include <string_view>

#include "catalog/rpm_header.hpp"
#include "core/result.hpp"

namespace bulwark::catalog {

// Visits every header in blob order (as rpm lists them). Index.db, rpm's index file, is not
// needed: every package is in Packages.db.
core::Result<void> read_rpm_ndb(std::string_view db, const RpmBlobVisitor& visit);

}  // namespace bulwark::catalog
