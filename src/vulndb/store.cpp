#include "vulndb/store.hpp"

#include <sqlite3.h>
#include <sys/stat.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unordered_map>

namespace bulwark::vulndb {

namespace {

// The schema, documented in docs/vulndb.md. Indexes are created after the bulk insert.
constexpr const char* kSchema = R"sql(
CREATE TABLE metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE sources (name TEXT PRIMARY KEY, kind TEXT NOT NULL, origin TEXT NOT NULL,
  date TEXT NOT NULL, imported INTEGER NOT NULL, failed INTEGER NOT NULL,
  skipped INTEGER NOT NULL, notes TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE advisories (row INTEGER PRIMARY KEY, id TEXT NOT NULL, source TEXT NOT NULL,
  kind TEXT NOT NULL, severity TEXT, cvss_v3_vector TEXT, cvss_v3_score REAL,
  cvss_v4_vector TEXT, cvss_v4_score REAL, published TEXT, modified TEXT, withdrawn TEXT);
CREATE TABLE aliases (advisory INTEGER NOT NULL, alias TEXT NOT NULL);
CREATE TABLE refs (advisory INTEGER NOT NULL, url TEXT NOT NULL);
CREATE TABLE affected (row INTEGER PRIMARY KEY, advisory INTEGER NOT NULL,
  ecosystem TEXT NOT NULL, release TEXT NOT NULL, package TEXT NOT NULL,
  package_kind TEXT NOT NULL, status TEXT NOT NULL, status_detail TEXT NOT NULL,
  severity TEXT NOT NULL);
CREATE TABLE affected_events (affected INTEGER NOT NULL, range_no INTEGER NOT NULL,
  range_type TEXT NOT NULL, kind TEXT NOT NULL, version TEXT NOT NULL);
CREATE TABLE affected_versions (affected INTEGER NOT NULL, version TEXT NOT NULL);
CREATE TABLE affected_constraints (affected INTEGER NOT NULL, kind TEXT NOT NULL,
  expr TEXT NOT NULL);
CREATE TABLE kev (cve TEXT PRIMARY KEY, vendor TEXT, product TEXT, date_added TEXT,
  due_date TEXT, known_ransomware INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE epss (cve TEXT PRIMARY KEY, epss REAL NOT NULL, percentile REAL NOT NULL)
  WITHOUT ROWID;
)sql";

constexpr const char* kIndexes = R"sql(
CREATE UNIQUE INDEX advisories_by_id ON advisories (id, source);
CREATE INDEX aliases_by_advisory ON aliases (advisory);
CREATE INDEX aliases_by_alias ON aliases (alias);
CREATE INDEX refs_by_advisory ON refs (advisory);
CREATE INDEX affected_by_package ON affected (ecosystem, release, package);
CREATE INDEX affected_by_advisory ON affected (advisory);
CREATE INDEX events_by_affected ON affected_events (affected);
CREATE INDEX versions_by_affected ON affected_versions (affected);
CREATE INDEX constraints_by_affected ON affected_constraints (affected);
)sql";

}  // namespace

struct StmtCache {
  sqlite3* db = nullptr;
  std::unordered_map<const char*, sqlite3_stmt*> stmts;  // keyed by the SQL literal
  ~StmtCache() {
    for (auto& [sql, st] : stmts) sqlite3_finalize(st);
  }
  sqlite3_stmt* get(const char* sql, int* rc) {
    auto it = stmts.find(sql);
    if (it != stmts.end()) {
      *rc = SQLITE_OK;
      return it->second;
    }
    sqlite3_stmt* st = nullptr;
    *rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr);
    if (*rc == SQLITE_OK) stmts.emplace(sql, st);
    return st;
  }
};

namespace {

class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &s_, nullptr); }
  // Borrowed from the cache: reset (not finalized) when this wrapper goes away.
  Stmt(StmtCache& cache, const char* sql) : owned_(false) { s_ = cache.get(sql, &rc_); }
  ~Stmt() {
    if (owned_) {
      sqlite3_finalize(s_);
    } else if (s_ != nullptr) {
      sqlite3_reset(s_);
      sqlite3_clear_bindings(s_);
    }
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt(Stmt&& o) noexcept : s_(o.s_), rc_(o.rc_), owned_(o.owned_) { o.s_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept {
    std::swap(s_, o.s_);
    rc_ = o.rc_;
    std::swap(owned_, o.owned_);
    return *this;
  }
  bool ok() const { return rc_ == SQLITE_OK && s_ != nullptr; }
  sqlite3_stmt* get() const { return s_; }
  Stmt& text(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& opt_text(int i, std::string_view v) {
    if (v.empty())
      sqlite3_bind_null(s_, i);
    else
      text(i, v);
    return *this;
  }
  Stmt& integer(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& real(int i, std::optional<double> v) {
    if (v)
      sqlite3_bind_double(s_, i, *v);
    else
      sqlite3_bind_null(s_, i);
    return *this;
  }
  // Runs to completion; returns the sqlite result code (SQLITE_DONE on success).
  int exec() {
    int rc = sqlite3_step(s_);
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
    return rc;
  }
  int step() { return sqlite3_step(s_); }
  void reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  std::string col_text(int i) const {
    const auto* p = sqlite3_column_text(s_, i);
    return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p));
  }
  int64_t col_int(int i) const { return sqlite3_column_int64(s_, i); }
  std::optional<double> col_real(int i) const {
    if (sqlite3_column_type(s_, i) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_double(s_, i);
  }

 private:
  sqlite3_stmt* s_ = nullptr;
  int rc_ = SQLITE_ERROR;
  bool owned_ = true;
};

std::string db_error(sqlite3* db, std::string_view what) {
  return std::string(what) + ": " + sqlite3_errmsg(db);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Writer

struct DbWriter::Impl {
  sqlite3* db = nullptr;
  std::string path;
  std::optional<core::Error> error;
  Stmt ins_adv, ins_alias, ins_ref, ins_aff, ins_event, ins_version, ins_constraint, ins_kev,
      ins_epss, ins_source, upd_adv;
  struct Known {
    int64_t row;
    std::vector<std::string> aliases;
    std::vector<std::string> refs;
  };
  std::unordered_map<std::string, Known> known;  // source + '\n' + id
  std::map<std::string, std::string> notes;

  void check(int rc, std::string_view what) {
    if (rc != SQLITE_DONE && rc != SQLITE_OK && !error)
      error = core::Error::io(path + ": " + db_error(db, what));
  }
  ~Impl() {
    ins_adv = Stmt();
    ins_alias = Stmt();
    ins_ref = Stmt();
    ins_aff = Stmt();
    ins_event = Stmt();
    ins_version = Stmt();
    ins_constraint = Stmt();
    ins_kev = Stmt();
    ins_epss = Stmt();
    ins_source = Stmt();
    upd_adv = Stmt();
    if (db != nullptr) sqlite3_close_v2(db);
  }
};

DbWriter::~DbWriter() = default;

core::Result<std::unique_ptr<DbWriter>> DbWriter::create(const std::string& path) {
  std::unique_ptr<DbWriter> w(new DbWriter());
  w->impl_ = std::make_unique<Impl>();
  auto& im = *w->impl_;
  im.path = path;
  if (std::remove(path.c_str()) != 0 && errno != ENOENT)
    return core::Error::from_errno(path, errno);
  if (sqlite3_open_v2(path.c_str(), &im.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK)
    return core::Error::io(path + ": " + db_error(im.db, "create"));
  // A build is all-or-nothing (written to a temporary name and renamed by the caller), so the
  // journal and fsyncs buy nothing.
  const std::string setup = std::string(
                                "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
                                "PRAGMA page_size=4096; PRAGMA cache_size=-65536; "
                                "PRAGMA locking_mode=EXCLUSIVE; BEGIN;") +
                            kSchema;
  char* msg = nullptr;
  if (sqlite3_exec(im.db, setup.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string m = msg != nullptr ? msg : "unknown";
    sqlite3_free(msg);
    return core::Error::io(path + ": schema: " + m);
  }
  im.ins_adv = Stmt(im.db,
                    "INSERT INTO advisories (id, source, kind, severity, cvss_v3_vector, "
                    "cvss_v3_score, cvss_v4_vector, cvss_v4_score, published, modified, "
                    "withdrawn) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
  im.ins_alias = Stmt(im.db, "INSERT INTO aliases (advisory, alias) VALUES (?,?)");
  im.ins_ref = Stmt(im.db, "INSERT INTO refs (advisory, url) VALUES (?,?)");
  im.ins_aff = Stmt(im.db,
                    "INSERT INTO affected (advisory, ecosystem, release, package, package_kind, "
                    "status, status_detail, severity) VALUES (?,?,?,?,?,?,?,?)");
  im.ins_event = Stmt(im.db,
                      "INSERT INTO affected_events (affected, range_no, range_type, kind, "
                      "version) VALUES (?,?,?,?,?)");
  im.ins_version = Stmt(im.db, "INSERT INTO affected_versions (affected, version) VALUES (?,?)");
  im.ins_constraint =
      Stmt(im.db, "INSERT INTO affected_constraints (affected, kind, expr) VALUES (?,?,?)");
  im.ins_kev = Stmt(im.db,
                    "INSERT OR REPLACE INTO kev (cve, vendor, product, date_added, due_date, "
                    "known_ransomware) VALUES (?,?,?,?,?,?)");
  im.ins_epss = Stmt(im.db, "INSERT OR REPLACE INTO epss (cve, epss, percentile) VALUES (?,?,?)");
  im.ins_source = Stmt(im.db,
                       "INSERT OR REPLACE INTO sources (name, kind, origin, date, imported, "
                       "failed, skipped, notes) VALUES (?,?,?,?,?,?,?,?)");
  im.upd_adv = Stmt(im.db,
                    "UPDATE advisories SET severity = coalesce(severity, ?), cvss_v3_vector = "
                    "coalesce(cvss_v3_vector, ?), cvss_v3_score = coalesce(cvss_v3_score, ?) "
                    "WHERE row = ?");
  for (const Stmt* s :
       {&im.ins_adv, &im.ins_alias, &im.ins_ref, &im.ins_aff, &im.ins_event, &im.ins_version,
        &im.ins_constraint, &im.ins_kev, &im.ins_epss, &im.ins_source, &im.upd_adv})
    if (!s->ok()) return core::Error::internal(path + ": " + db_error(im.db, "prepare"));
  return w;
}

void DbWriter::add(Advisory a) {
  auto& im = *impl_;
  if (im.error) return;
  std::string key = a.source + '\n' + a.id;
  auto it = im.known.find(key);
  int64_t row;
  if (it == im.known.end()) {
    im.ins_adv.text(1, a.id)
        .text(2, a.source)
        .text(3, a.kind)
        .opt_text(4, a.severity)
        .opt_text(5, a.cvss_v3_vector)
        .real(6, a.cvss_v3_score)
        .opt_text(7, a.cvss_v4_vector)
        .real(8, a.cvss_v4_score)
        .opt_text(9, a.published)
        .opt_text(10, a.modified)
        .opt_text(11, a.withdrawn);
    im.check(im.ins_adv.exec(), "insert advisory " + a.id);
    row = sqlite3_last_insert_rowid(im.db);
    it = im.known.emplace(std::move(key), Impl::Known{row, {}, {}}).first;
  } else {
    row = it->second.row;
    im.upd_adv.opt_text(1, a.severity).opt_text(2, a.cvss_v3_vector).real(3, a.cvss_v3_score);
    im.upd_adv.integer(4, row);
    im.check(im.upd_adv.exec(), "update advisory " + a.id);
  }
  auto union_insert = [&](std::vector<std::string>& have, const std::vector<std::string>& add,
                          Stmt& stmt, std::string_view what) {
    for (const auto& s : add) {
      if (s.empty() || std::find(have.begin(), have.end(), s) != have.end()) continue;
      have.push_back(s);
      stmt.integer(1, row).text(2, s);
      im.check(stmt.exec(), what);
    }
  };
  union_insert(it->second.aliases, a.aliases, im.ins_alias, "insert alias");
  union_insert(it->second.refs, a.references, im.ins_ref, "insert reference");
  for (const auto& af : a.affected) {
    im.ins_aff.integer(1, row)
        .text(2, af.ecosystem)
        .text(3, af.release)
        .text(4, af.package)
        .text(5, af.package_kind)
        .text(6, status_name(af.status))
        .text(7, af.status_detail)
        .text(8, af.severity);
    im.check(im.ins_aff.exec(), "insert affected");
    const int64_t arow = sqlite3_last_insert_rowid(im.db);
    for (size_t r = 0; r < af.ranges.size(); ++r) {
      for (const auto& e : af.ranges[r].events) {
        im.ins_event.integer(1, arow)
            .integer(2, static_cast<int64_t>(r))
            .text(3, af.ranges[r].type)
            .text(4, event_kind_name(e.kind))
            .text(5, e.version);
        im.check(im.ins_event.exec(), "insert event");
      }
    }
    for (const auto& v : af.versions) {
      im.ins_version.integer(1, arow).text(2, v);
      im.check(im.ins_version.exec(), "insert version");
    }
    for (const auto& c : af.constraints) {
      im.ins_constraint.integer(1, arow).text(2, constraint_kind_name(c.kind)).text(3, c.text);
      im.check(im.ins_constraint.exec(), "insert constraint");
    }
  }
}

void DbWriter::add_kev(const KevEntry& e) {
  auto& im = *impl_;
  if (im.error) return;
  im.ins_kev.text(1, e.cve)
      .opt_text(2, e.vendor)
      .opt_text(3, e.product)
      .opt_text(4, e.date_added)
      .opt_text(5, e.due_date)
      .integer(6, e.known_ransomware ? 1 : 0);
  im.check(im.ins_kev.exec(), "insert kev");
}

void DbWriter::add_epss(const EpssEntry& e) {
  auto& im = *impl_;
  if (im.error) return;
  sqlite3_bind_text(im.ins_epss.get(), 1, e.cve.data(), static_cast<int>(e.cve.size()),
                    SQLITE_TRANSIENT);
  sqlite3_bind_double(im.ins_epss.get(), 2, e.epss);
  sqlite3_bind_double(im.ins_epss.get(), 3, e.percentile);
  im.check(im.ins_epss.exec(), "insert epss");
}

void DbWriter::note(std::string_view key, std::string_view value) {
  impl_->notes[std::string(key)] = value;
}

void DbWriter::add_source(const SourceInfo& s) {
  auto& im = *impl_;
  if (im.error) return;
  im.ins_source.text(1, s.name)
      .text(2, s.kind)
      .text(3, s.origin)
      .text(4, s.date)
      .integer(5, static_cast<int64_t>(s.imported))
      .integer(6, static_cast<int64_t>(s.failed))
      .integer(7, static_cast<int64_t>(s.skipped))
      .text(8, s.notes.empty() ? "{}" : s.notes);
  im.check(im.ins_source.exec(), "insert source");
}

core::Result<void> DbWriter::finish(const std::string& built_at) {
  auto& im = *impl_;
  if (im.error) return *im.error;
  {
    Stmt meta(im.db, "INSERT OR REPLACE INTO metadata (key, value) VALUES (?,?)");
    if (!meta.ok()) return core::Error::io(im.path + ": " + db_error(im.db, "metadata"));
    std::map<std::string, std::string> rows = im.notes;
    rows["schema_version"] = std::to_string(kSchemaVersion);
    rows["built_at"] = built_at;
    rows["builder"] = "bulwark";
    for (const auto& [k, v] : rows) {
      meta.text(1, k).text(2, v);
      im.check(meta.exec(), "insert metadata");
    }
  }  // finalized before the database is closed
  if (im.error) return *im.error;
  char* msg = nullptr;
  const std::string tail = std::string(kIndexes) + "COMMIT; ANALYZE;";
  if (sqlite3_exec(im.db, tail.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string m = msg != nullptr ? msg : "unknown";
    sqlite3_free(msg);
    return core::Error::io(im.path + ": commit: " + m);
  }
  impl_.reset();  // closes the database
  return core::ok();
}

// ---------------------------------------------------------------------------------------------
// Reader

VulnDb::~VulnDb() {
  cache_.reset();  // statements are finalized before the connection closes
  if (db_ != nullptr) sqlite3_close(db_);
}

core::Result<std::unique_ptr<VulnDb>> VulnDb::open(const std::string& path) {
  // Check the header and size ourselves: SQLite opens lazily, and a truncated file would
  // otherwise only fail (or silently miss rows) at the first query that touches a lost page.
  std::ifstream f(path, std::ios::binary);
  if (!f) return core::Error::from_errno("vulnerability database " + path, errno);
  std::array<unsigned char, 100> h{};
  f.read(reinterpret_cast<char*>(h.data()), h.size());
  if (f.gcount() < 100 || std::string_view(reinterpret_cast<const char*>(h.data()), 16) !=
                              std::string_view("SQLite format 3\0", 16))
    return core::Error::invalid("vulnerability database " + path +
                                ": not a SQLite database (rebuild it with `bulwark db build` "
                                "or `bulwark db update`)");
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return core::Error::from_errno(path, errno);
  uint32_t page_size = (static_cast<uint32_t>(h[16]) << 8) | h[17];
  if (page_size == 1) page_size = 65536;
  const uint32_t pages = (static_cast<uint32_t>(h[28]) << 24) |
                         (static_cast<uint32_t>(h[29]) << 16) |
                         (static_cast<uint32_t>(h[30]) << 8) | h[31];
  if (page_size < 512 ||
      static_cast<uint64_t>(st.st_size) < static_cast<uint64_t>(page_size) * pages)
    return core::Error::invalid("vulnerability database " + path + ": truncated (" +
                                std::to_string(st.st_size) + " bytes, header says " +
                                std::to_string(static_cast<uint64_t>(page_size) * pages) + ")");
  std::unique_ptr<VulnDb> v(new VulnDb());
  v->path_ = path;
  v->cache_ = std::make_unique<StmtCache>();
  if (sqlite3_open_v2(path.c_str(), &v->db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK)
    return core::Error::io("vulnerability database " + path + ": " + sqlite3_errmsg(v->db_));
  v->cache_->db = v->db_;
  sqlite3_exec(v->db_, "PRAGMA mmap_size=1073741824; PRAGMA query_only=1;", nullptr, nullptr,
               nullptr);
  Stmt s(v->db_, "SELECT key, value FROM metadata WHERE key IN ('schema_version','built_at')");
  if (!s.ok())
    return core::Error::invalid("vulnerability database " + path + ": not a bulwark database (" +
                                sqlite3_errmsg(v->db_) + ")");
  std::string version;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    if (s.col_text(0) == "schema_version")
      version = s.col_text(1);
    else
      v->built_at_ = s.col_text(1);
  }
  if (rc != SQLITE_DONE)
    return core::Error::invalid("vulnerability database " + path + ": " + sqlite3_errmsg(v->db_));
  if (version != std::to_string(kSchemaVersion))
    return core::Error::unsupported("vulnerability database " + path + ": schema version " +
                                    (version.empty() ? std::string("missing") : version) +
                                    ", this bulwark reads " + std::to_string(kSchemaVersion) +
                                    " (run `bulwark db update` or `bulwark db build`)");
  return v;
}

core::Result<DbInfo> VulnDb::info() const {
  DbInfo info;
  info.schema_version = kSchemaVersion;
  info.built_at = built_at_;
  Stmt s(db_,
         "SELECT name, kind, origin, date, imported, failed, skipped, notes FROM sources "
         "ORDER BY name");
  if (!s.ok()) return core::Error::invalid(path_ + ": " + sqlite3_errmsg(db_));
  while (s.step() == SQLITE_ROW) {
    info.sources.push_back({s.col_text(0), s.col_text(1), s.col_text(2), s.col_text(3),
                            static_cast<uint64_t>(s.col_int(4)),
                            static_cast<uint64_t>(s.col_int(5)),
                            static_cast<uint64_t>(s.col_int(6)), s.col_text(7)});
  }
  auto count = [&](const char* table, uint64_t& out) -> core::Result<void> {
    Stmt c(db_, (std::string("SELECT count(*) FROM ") + table).c_str());
    if (!c.ok() || c.step() != SQLITE_ROW)
      return core::Error::invalid(path_ + ": " + sqlite3_errmsg(db_));
    out = static_cast<uint64_t>(c.col_int(0));
    return core::ok();
  };
  BW_TRY(count("advisories", info.advisories));
  BW_TRY(count("affected", info.affected));
  BW_TRY(count("aliases", info.aliases));
  BW_TRY(count("kev", info.kev));
  BW_TRY(count("epss", info.epss));
  return info;
}

namespace {
std::optional<EventKind> parse_event_kind(std::string_view s) {
  if (s == "introduced") return EventKind::kIntroduced;
  if (s == "fixed") return EventKind::kFixed;
  if (s == "last_affected") return EventKind::kLastAffected;
  if (s == "limit") return EventKind::kLimit;
  return std::nullopt;
}
Status parse_status(std::string_view s) {
  if (s == "fixed") return Status::kFixed;
  if (s == "unfixed") return Status::kUnfixed;
  if (s == "not-affected") return Status::kNotAffected;
  if (s == "will-not-fix") return Status::kWillNotFix;
  return Status::kAffected;
}
ConstraintKind parse_constraint_kind(std::string_view s) {
  if (s == "patched") return ConstraintKind::kPatched;
  if (s == "unaffected") return ConstraintKind::kUnaffected;
  return ConstraintKind::kVulnerable;
}
}  // namespace

core::Result<void> VulnDb::load_affected_details(int64_t arow, Affected& a) const {
  Stmt ev(*cache_,
          "SELECT range_no, range_type, kind, version FROM affected_events WHERE affected = ? "
          "ORDER BY rowid");
  Stmt vs(*cache_, "SELECT version FROM affected_versions WHERE affected = ? ORDER BY rowid");
  Stmt cs(*cache_, "SELECT kind, expr FROM affected_constraints WHERE affected = ? ORDER BY rowid");
  if (!ev.ok() || !vs.ok() || !cs.ok())
    return core::Error::invalid(path_ + ": " + sqlite3_errmsg(db_));
  ev.integer(1, arow);
  int64_t last_range = -1;
  while (ev.step() == SQLITE_ROW) {
    if (ev.col_int(0) != last_range) {
      a.ranges.push_back(Range{ev.col_text(1), {}});
      last_range = ev.col_int(0);
    }
    auto k = parse_event_kind(ev.col_text(2));
    if (!k) return core::Error::invalid(path_ + ": unknown event kind " + ev.col_text(2));
    a.ranges.back().events.push_back({*k, ev.col_text(3)});
  }
  vs.integer(1, arow);
  while (vs.step() == SQLITE_ROW) a.versions.push_back(vs.col_text(0));
  cs.integer(1, arow);
  while (cs.step() == SQLITE_ROW)
    a.constraints.push_back({parse_constraint_kind(cs.col_text(0)), cs.col_text(1)});
  return core::ok();
}

core::Result<bool> VulnDb::has_release(std::string_view ecosystem, std::string_view release) const {
  Stmt s(*cache_, "SELECT 1 FROM affected WHERE ecosystem = ? AND release = ? LIMIT 1");
  if (!s.ok()) return core::Error::invalid(path_ + ": " + sqlite3_errmsg(db_));
  s.text(1, canonical_ecosystem(ecosystem)).text(2, release);
  return s.step() == SQLITE_ROW;
}

core::Result<std::vector<AffectedRecord>> VulnDb::lookup(std::string_view ecosystem,
                                                         std::string_view release,
                                                         std::string_view package) const {
  Stmt s(*cache_,
         "SELECT f.row, a.row, a.id, a.source, a.kind, f.package_kind, f.status, "
         "f.status_detail, f.severity FROM affected f JOIN advisories a ON a.row = f.advisory "
         "WHERE f.ecosystem = ? AND f.release = ? AND f.package = ? ORDER BY a.id, f.row");
  if (!s.ok()) return core::Error::invalid(path_ + ": " + sqlite3_errmsg(db_));
  const std::string eco = canonical_ecosystem(ecosystem);
  const std::string name = normalize_package(eco, package);
  s.text(1, eco).text(2, release).text(3, name);
  std::vector<AffectedRecord> out;
  std::unordered_map<int64_t, size_t> index;  // affected row -> position in out
  while (s.step() == SQLITE_ROW) {
    AffectedRecord r;
    r.advisory_row = s.col_int(1);
    r.advisory_id = s.col_text(2);
    r.source = s.col_text(3);
    r.kind = s.col_text(4);
    r.affected.ecosystem = eco;
    r.affected.release = std::string(release);
    r.affected.package = name;
    r.affected.package_kind = s.col_text(5);
    r.affected.status = parse_status(s.col_text(6));
    r.affected.status_detail = s.col_text(7);
    r.affected.severity = s.col_text(8);
    index.emplace(s.col_int(0), out.size());
    out.push_back(std::move(r));
  }
  if (out.empty()) return out;
  // Events, versions and constraints of all those entries: one query each, not one per entry.
  Stmt ev(*cache_,
          "SELECT e.affected, e.range_no, e.range_type, e.kind, e.version FROM affected f "
          "JOIN affected_events e ON e.affected = f.row WHERE f.ecosystem = ? AND f.release = ? "
          "AND f.package = ? ORDER BY e.rowid");
  Stmt vs(*cache_,
          "SELECT v.affected, v.version FROM affected f JOIN affected_versions v ON v.affected = "
          "f.row WHERE f.ecosystem = ? AND f.release = ? AND f.package = ? ORDER BY v.rowid");
  Stmt cs(*cache_,
          "SELECT c.affected, c.kind, c.expr FROM affected f JOIN affected_constraints c ON "
          "c.affected = f.row WHERE f.ecosystem = ? AND f.release = ? AND f.package = ? ORDER BY "
          "c.rowid");
  if (!ev.ok() || !vs.ok() || !cs.ok())
    return core::Error::invalid(path_ + ": " + sqlite3_errmsg(db_));
  ev.text(1, eco).text(2, release).text(3, name);
  std::unordered_map<int64_t, int64_t> last_range;
  while (ev.step() == SQLITE_ROW) {
    auto it = index.find(ev.col_int(0));
    if (it == index.end()) continue;
    Affected& a = out[it->second].affected;
    auto [lr, fresh] = last_range.try_emplace(ev.col_int(0), -1);
    if (fresh || lr->second != ev.col_int(1)) {
      a.ranges.push_back(Range{ev.col_text(2), {}});
      lr->second = ev.col_int(1);
    }
    auto k = parse_event_kind(ev.col_text(3));
    if (!k) return core::Error::invalid(path_ + ": unknown event kind " + ev.col_text(3));
    a.ranges.back().events.push_back({*k, ev.col_text(4)});
  }
  vs.text(1, eco).text(2, release).text(3, name);
  while (vs.step() == SQLITE_ROW)
    if (auto it = index.find(vs.col_int(0)); it != index.end())
      out[it->second].affected.versions.push_back(vs.col_text(1));
  cs.text(1, eco).text(2, release).text(3, name);
  while (cs.step() == SQLITE_ROW)
    if (auto it = index.find(cs.col_int(0)); it != index.end())
      out[it->second].affected.constraints.push_back(
          {parse_constraint_kind(cs.col_text(1)), cs.col_text(2)});
  return out;
}

core::Result<Advisory> VulnDb::load_advisory(int64_t row) const {
  Stmt s(*cache_,
         "SELECT id, source, kind, severity, cvss_v3_vector, cvss_v3_score, cvss_v4_vector, "
         "cvss_v4_score, published, modified, withdrawn FROM advisories WHERE row = ?");
  Stmt al(*cache_, "SELECT alias FROM aliases WHERE advisory = ? ORDER BY rowid");
  Stmt rf(*cache_, "SELECT url FROM refs WHERE advisory = ? ORDER BY rowid");
  Stmt af(*cache_,
          "SELECT row, ecosystem, release, package, package_kind, status, status_detail, "
          "severity FROM affected WHERE advisory = ? ORDER BY row");
  if (!s.ok() || !al.ok() || !rf.ok() || !af.ok())
    return core::Error::invalid(path_ + ": " + sqlite3_errmsg(db_));
  s.integer(1, row);
  if (s.step() != SQLITE_ROW) return core::Error::not_found(path_ + ": advisory row missing");
  Advisory a;
  a.id = s.col_text(0);
  a.source = s.col_text(1);
  a.kind = s.col_text(2);
  a.severity = s.col_text(3);
  a.cvss_v3_vector = s.col_text(4);
  a.cvss_v3_score = s.col_real(5);
  a.cvss_v4_vector = s.col_text(6);
  a.cvss_v4_score = s.col_real(7);
  a.published = s.col_text(8);
  a.modified = s.col_text(9);
  a.withdrawn = s.col_text(10);
  al.integer(1, row);
  while (al.step() == SQLITE_ROW) a.aliases.push_back(al.col_text(0));
  rf.integer(1, row);
  while (rf.step() == SQLITE_ROW) a.references.push_back(rf.col_text(0));
  af.integer(1, row);
  while (af.step() == SQLITE_ROW) {
    Affected x;
    x.ecosystem = af.col_text(1);
    x.release = af.col_text(2);
    x.package = af.col_text(3);
    x.package_kind = af.col_text(4);
    x.status = parse_status(af.col_text(5));
    x.status_detail = af.col_text(6);
    x.severity = af.col_text(7);
    BW_TRY(load_affected_details(af.col_int(0), x));
    a.affected.push_back(std::move(x));
  }
  return a;
}

core::Result<std::vector<Advisory>> VulnDb::advisories_by_id(std::string_view id) const {
  Stmt s(*cache_, "SELECT row FROM advisories WHERE id = ? ORDER BY source");
  if (!s.ok()) return core::Error::invalid(path_ + ": " + sqlite3_errmsg(db_));
  s.text(1, id);
  std::vector<int64_t> rows;
  while (s.step() == SQLITE_ROW) rows.push_back(s.col_int(0));
  std::vector<Advisory> out;
  for (int64_t r : rows) {
    BW_ASSIGN_OR_RETURN(auto a, load_advisory(r));
    out.push_back(std::move(a));
  }
  return out;
}

core::Result<std::optional<KevEntry>> VulnDb::kev(std::string_view cve) const {
  Stmt s(*cache_,
         "SELECT vendor, product, date_added, due_date, known_ransomware FROM kev WHERE cve = ?");
  if (!s.ok()) return core::Error::invalid(path_ + ": " + sqlite3_errmsg(db_));
  s.text(1, cve);
  if (s.step() != SQLITE_ROW) return std::optional<KevEntry>();
  return std::optional<KevEntry>(KevEntry{std::string(cve), s.col_text(0), s.col_text(1),
                                          s.col_text(2), s.col_text(3), s.col_int(4) != 0});
}

core::Result<std::optional<EpssEntry>> VulnDb::epss(std::string_view cve) const {
  Stmt s(*cache_, "SELECT epss, percentile FROM epss WHERE cve = ?");
  if (!s.ok()) return core::Error::invalid(path_ + ": " + sqlite3_errmsg(db_));
  s.text(1, cve);
  if (s.step() != SQLITE_ROW) return std::optional<EpssEntry>();
  return std::optional<EpssEntry>(
      EpssEntry{std::string(cve), s.col_real(0).value_or(0), s.col_real(1).value_or(0)});
}

}  // namespace bulwark::vulndb
