// rpm's sqlite backend (rpm >= 4.16; Fedora 33+, RHEL 9, Amazon Linux 2023): rpmdb.sqlite with
// table Packages(hnum INTEGER PRIMARY KEY, blob BLOB), one header blob per row.
#pragma once

#include <string>

#include "catalog/rpm_header.hpp"
#include "core/result.hpp"

namespace bulwark::catalog {

// Reads the database entirely in memory (sqlite3_deserialize, read-only): nothing is written
// to disk. Takes the bytes by value because a WAL-mode file header is rewritten in the copy.
core::Result<void> read_rpm_sqlite(std::string db, const RpmBlobVisitor& visit);

}  // namespace bulwark::catalog
