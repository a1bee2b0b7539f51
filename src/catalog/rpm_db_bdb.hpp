// rpm's Berkeley DB backend (rpm < 4.16; RHEL/CentOS 7 and 8, Amazon Linux 2, SLES 12): the
// hash database var/lib/rpm/Packages, keyed by header instance number. Read straight from the
// on-disk pages; no Berkeley DB library, environment or lock files are involved.
#pragma once

#include <string_view>

#include "catalog/rpm_header.hpp"
#include "core/result.hpp"

namespace bulwark::catalog {

// Visits every header in the database in bucket order. Either byte order is accepted (s390x
// and ppc64 images hold big-endian files). Checksummed and encrypted databases, which rpm
// never creates, are reported as unsupported.
core::Result<void> read_rpm_bdb(std::string_view db, const RpmBlobVisitor& visit);

}  // namespace bulwark::catalog
