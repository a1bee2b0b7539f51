#include "catalog/rpm_db_sqlite.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <limits>
#include <memory>

namespace bulwark::catalog {
namespace {

using core::Error;
using core::Result;

// From the SQLite file format documentation (sqlite.org/fileformat.html, "The Database Header").
constexpr std::string_view kSqliteMagic{"SQLite format 3\0", 16};
constexpr size_t kHeaderBytes = 100;
constexpr size_t kWriteVersionOffset = 18;  // 1 = rollback journal, 2 = WAL
constexpr size_t kReadVersionOffset = 19;

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct FinalizeStmt {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

Error sqlite_error(sqlite3* db, int rc, std::string_view what) {
  std::string msg =
      fmt::format("rpmdb.sqlite: {}: {}", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  // Corrupt or non-database bytes are bad input; anything else is sqlite failing on us.
  int primary = rc & 0xff;
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB || primary == SQLITE_ERROR ||
      primary == SQLITE_RANGE || primary == SQLITE_MISMATCH || primary == SQLITE_TOOBIG) {
    return Error::invalid(std::move(msg));
  }
  if (primary == SQLITE_NOMEM) return Error::limit(std::move(msg));
  return Error::io(std::move(msg));
}

}  // namespace

Result<void> read_rpm_sqlite(std::string db, const RpmBlobVisitor& visit) {
  if (db.size() < kHeaderBytes ||
      std::string_view(db).substr(0, kSqliteMagic.size()) != kSqliteMagic) {
    return Error::invalid("rpmdb.sqlite: not an SQLite 3 database");
  }
  // rpm keeps the database in WAL mode. The in-memory VFS has no shared memory for a WAL index,
  // so the copy is marked as a rollback-journal database; rpm checkpoints the WAL when it
  // closes the database, so the main file already holds every committed row.
  if (db[kWriteVersionOffset] == 2) db[kWriteVersionOffset] = 1;
  if (db[kReadVersionOffset] == 2) db[kReadVersionOffset] = 1;

  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, nullptr);
  std::unique_ptr<sqlite3, CloseDb> conn(raw);
  if (rc != SQLITE_OK) return sqlite_error(conn.get(), rc, "open");
  // The file is untrusted: no schema-defined functions or views with side effects, and the
  // defensive flag forbids anything that could corrupt the (in-memory) database.
  sqlite3_db_config(conn.get(), SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(conn.get(), SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  sqlite3_db_config(conn.get(), SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, nullptr);
  sqlite3_db_config(conn.get(), SQLITE_DBCONFIG_ENABLE_VIEW, 0, nullptr);

  const auto size = static_cast<sqlite3_int64>(db.size());
  rc = sqlite3_deserialize(conn.get(), "main", reinterpret_cast<unsigned char*>(db.data()), size,
                           size, SQLITE_DESERIALIZE_READONLY);
  if (rc != SQLITE_OK) return sqlite_error(conn.get(), rc, "load");
  // Check every cell's size against its page as it is read, which turns more kinds of
  // corruption into SQLITE_CORRUPT instead of relying on later checks.
  rc = sqlite3_exec(conn.get(), "PRAGMA cell_size_check = ON", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(conn.get(), rc, "configure");

  sqlite3_stmt* raw_stmt = nullptr;
  rc = sqlite3_prepare_v2(conn.get(), "SELECT hnum, blob FROM Packages ORDER BY hnum", -1,
                          &raw_stmt, nullptr);
  std::unique_ptr<sqlite3_stmt, FinalizeStmt> stmt(raw_stmt);
  if (rc != SQLITE_OK) return sqlite_error(conn.get(), rc, "reading table Packages");

  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    const sqlite3_int64 hnum = sqlite3_column_int64(stmt.get(), 0);
    if (hnum < 0 || hnum > std::numeric_limits<uint32_t>::max()) {
      return Error::invalid(fmt::format("rpmdb.sqlite: header number {} out of range", hnum));
    }
    const void* blob = sqlite3_column_blob(stmt.get(), 1);
    const int bytes = sqlite3_column_bytes(stmt.get(), 1);
    std::string_view view =
        blob ? std::string_view(static_cast<const char*>(blob), static_cast<size_t>(bytes))
             : std::string_view();
    auto r = visit(static_cast<uint32_t>(hnum), view);
    if (!r.ok()) return std::move(r).error().with_context(fmt::format("header {}", hnum));
  }
  if (rc != SQLITE_DONE) return sqlite_error(conn.get(), rc, "reading table Packages");
  return core::ok();
}

}  // namespace bulwark::catalog
