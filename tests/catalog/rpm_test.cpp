// The rpm cataloger against rpm itself. Real packages are built with rpmbuild from tiny spec
// files, installed with Debian's rpm into a sqlite database, and every package we read must
// equal what `rpm -qa --qf` reports. Debian's rpm 4.18 writes only sqlite (its librpm is
// built without libdb and without ndb; it can still *read* Berkeley DB through its bdb_ro
// backend). So:
//  - sqlite: written by rpm, checked against rpm.
//  - bdb:    written by libdb 5.3 (the library RHEL 7/8 rpm uses) from the same header blobs,
//            keyed as rpm keys them, checked against rpm reading it with bdb_ro.
//  - ndb:    no writer on Debian; our test writer lays the file out as rpm's
//            lib/backend/ndb/rpmpkg.c documents, checked against rpm's answer for the same headers.
#include "catalog/rpm.hpp"

#include <db.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>
#include <tuple>

#include "catalog/catalogers.hpp"
#include "catalog/rpm_db_bdb.hpp"
#include "catalog/rpm_db_ndb.hpp"
#include "catalog/rpm_db_sqlite.hpp"
#include "catalog/rpm_header.hpp"
#include "catalog/sbom.hpp"
#include "image/image.hpp"
#include "image/layer_reader.hpp"
#include "support/image_builder.hpp"
#include "support/test_env.hpp"

namespace bulwark::catalog {
namespace {

namespace fs = std::filesystem;
using bulwark::testing::read_file;
using bulwark::testing::run_command;
using bulwark::testing::TempDir;
using bulwark::testing::write_file;

using Records = std::vector<std::pair<uint32_t, std::string>>;

// ---------------------------------------------------------------------------------------------
// Building and installing real packages.

// Four source packages, five binary packages: epochs absent / 0 / 2, noarch and x86_64, a
// subpackage (same source rpm), a modularity label, a vendor, a package without files,
// %config, %ghost and %dir entries, and one package with enough files that its header spans
// many Berkeley DB pages.
constexpr std::string_view kSpecs[] = {
    R"(Name: bw-alpha
Epoch: 2
Version: 1.0
Release: 3.fc40
Summary: alpha
License: MIT
Vendor: Bulwark Test Vendor
BuildArch: noarch
%define modularitylabel bwmod:stream:20240101:abcdef12
%description
alpha
%install
mkdir -p %{buildroot}/usr/share/bw-alpha %{buildroot}/etc
echo alpha > %{buildroot}/usr/share/bw-alpha/readme.txt
echo conf > %{buildroot}/etc/bw-alpha.conf
%files
%dir /usr/share/bw-alpha
/usr/share/bw-alpha/readme.txt
%config(noreplace) /etc/bw-alpha.conf
%ghost /var/log/bw-alpha.log
)",
    R"(Name: bw-beta
Version: 2.5.1
Release: 1.el9
Summary: beta
License: GPL-2.0-or-later AND BSD-3-Clause
BuildArch: x86_64
%define debug_package %{nil}
%description
beta
%package libs
Summary: beta libs
%description libs
libs
%install
mkdir -p %{buildroot}/usr/lib/bw-beta/data %{buildroot}/usr/bin %{buildroot}/usr/lib64
for i in $(seq 1 400); do
  echo $i > %{buildroot}/usr/lib/bw-beta/data/file-with-a-longish-name-$i.txt
done
printf '#!/bin/sh\necho beta\n' > %{buildroot}/usr/bin/bw-beta
echo lib > %{buildroot}/usr/lib64/libbwbeta.so.1
%files
/usr/bin/bw-beta
/usr/lib/bw-beta
%files libs
/usr/lib64/libbwbeta.so.1
)",
    R"(Name: bw-gamma
Epoch: 0
Version: 0.9~rc1
Release: 0.1
Summary: gamma
License: Public Domain
BuildArch: noarch
%description
a package without files
%files
)",
    R"(Name: bw-delta++
Version: 3.0^git20240101
Release: 7%{?dist}
Summary: delta
License: (MIT or Apache-2.0) and Zlib
Vendor: Other Vendor
BuildArch: noarch
%description
delta
%install
mkdir -p "%{buildroot}/usr/share/bw delta"
echo x > "%{buildroot}/usr/share/bw delta/file with spaces.txt"
%files
"/usr/share/bw delta"
)",
};

// What rpm says about one installed package.
struct RefPackage {
  std::string name, epochnum, version, release, arch, sourcerpm, license, evr, vendor, modularity;
  std::vector<std::string> files;  // as rpm prints them, made relative like ours
};

constexpr std::string_view kQueryFormat =
    "@%{NAME}\\t%{EPOCHNUM}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\t%{LICENSE}\\t"
    "%{EVR}\\t%{VENDOR}\\t%{MODULARITYLABEL}\\n[%{FILENAMES}\\n]";

std::string none_to_empty(std::string s) {
  return s == "(none)" ? "" : s;
}

std::string relative(std::string_view p) {
  while (!p.empty() && p.front() == '/') p.remove_prefix(1);
  return std::string(p);
}

std::vector<RefPackage> parse_query(const std::string& out) {
  std::vector<RefPackage> pkgs;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line[0] == '@') {
      std::vector<std::string> f;
      std::istringstream fields(line.substr(1));
      std::string field;
      while (std::getline(fields, field, '\t')) f.push_back(none_to_empty(field));
      f.resize(10);
      pkgs.push_back(RefPackage{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], {}});
    } else if (!pkgs.empty() && !relative(line).empty()) {
      pkgs.back().files.push_back(relative(line));
    }
  }
  return pkgs;
}

// `rpm -qa` on the database under `root`, with the given backend. rpm's complaints (bdb_ro
// warns about every index file it cannot find) are shown only when the query fails.
std::vector<RefPackage> rpm_query_all(const fs::path& root, std::string_view backend) {
  std::string out;
  const fs::path err = root / "rpm-stderr.txt";
  std::string cmd = "rpm --root '" + root.string() +
                    "' --dbpath /var/lib/rpm --define '_db_backend " + std::string(backend) +
                    "' -qa --qf '" + std::string(kQueryFormat) + "' 2>'" + err.string() + "'";
  int rc = run_command(cmd, &out);
  EXPECT_EQ(rc, 0) << cmd << "\n" << read_file(err);
  return parse_query(out);
}

// The header blobs of a sqlite rpmdb, read with sqlite itself (not our reader).
Records sqlite_records(const fs::path& db_path) {
  Records out;
  sqlite3* db = nullptr;
  std::string uri = "file:" + db_path.string() + "?immutable=1";
  EXPECT_EQ(sqlite3_open_v2(uri.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr),
            SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(
      sqlite3_prepare_v2(db, "SELECT hnum, blob FROM Packages ORDER BY hnum", -1, &st, nullptr),
      SQLITE_OK);
  while (sqlite3_step(st) == SQLITE_ROW) {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(st, 1));
    out.emplace_back(static_cast<uint32_t>(sqlite3_column_int64(st, 0)),
                     std::string(p, static_cast<size_t>(sqlite3_column_bytes(st, 1))));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

// Built once for the whole test program: rpmbuild and rpm -i take a second or two.
struct Installed {
  std::unique_ptr<TempDir> dir;
  fs::path root;                // rpm --root with a sqlite database
  fs::path sqlite_db;           // root/var/lib/rpm/rpmdb.sqlite
  fs::path partial_db;          // a database with bw-alpha and bw-gamma only
  std::vector<RefPackage> ref;  // rpm -qa on it, gpg-pubkey included
  Records records;              // its header blobs
  bool has_pubkey = false;
  std::string error;
};

const Installed& installed() {
  static const Installed kInstalled = [] {
    Installed in;
    in.dir = std::make_unique<TempDir>();
    const fs::path d = in.dir->path();
    const std::string top = (d / "top").string();
    for (size_t i = 0; i < std::size(kSpecs); ++i) {
      fs::path spec = d / ("pkg" + std::to_string(i) + ".spec");
      write_file(spec, kSpecs[i]);
      std::string out;
      // brp scripts and debuginfo extraction are for real distributions, not these fixtures.
      if (run_command("rpmbuild -bb --quiet --define '_topdir " + top +
                          "' --define '__os_install_post %{nil}' --define 'dist .bw1' '" +
                          spec.string() + "' 2>&1",
                      &out) != 0) {
        in.error = "rpmbuild failed: " + out;
        return in;
      }
    }
    in.root = d / "root";
    fs::create_directories(in.root);
    std::string out;
    if (run_command("rpm --root '" + in.root.string() +
                        "' --dbpath /var/lib/rpm --define '_db_backend sqlite' -i --nodeps "
                        "--noscripts --force-debian $(find '" +
                        top + "/RPMS' -name '*.rpm') 2>&1",
                    &out) != 0) {
      in.error = "rpm -i failed: " + out;
      return in;
    }
    const fs::path partial = d / "partial";
    fs::create_directories(partial);
    if (run_command("rpm --root '" + partial.string() +
                        "' --dbpath /var/lib/rpm --define '_db_backend sqlite' -i --nodeps "
                        "--noscripts --force-debian $(find '" +
                        top + "/RPMS' -name 'bw-alpha-*.rpm' -o -name 'bw-gamma-*.rpm') 2>&1",
                    &out) != 0) {
      in.error = "rpm -i failed: " + out;
      return in;
    }
    in.partial_db = partial / "var/lib/rpm/rpmdb.sqlite";
    // A signing key, which rpm stores as a gpg-pubkey pseudo-package.
    const std::string gnupg = (d / "gnupg").string();
    fs::create_directories(gnupg);
    fs::permissions(gnupg, fs::perms::owner_all);
    if (bulwark::testing::have_command("gpg") &&
        run_command("gpg --batch --homedir '" + gnupg +
                        "' --passphrase '' --quick-gen-key 'Bulwark Test <test@example.invalid>' "
                        "rsa2048 sign never >/dev/null 2>&1 && gpg --batch --homedir '" +
                        gnupg + "' --armor --export > '" + (d / "key.asc").string() +
                        "' && rpm --root '" + in.root.string() +
                        "' --dbpath /var/lib/rpm --define '_db_backend sqlite' --import '" +
                        (d / "key.asc").string() + "' 2>&1",
                    &out) == 0) {
      in.has_pubkey = true;
    }
    in.sqlite_db = in.root / "var/lib/rpm/rpmdb.sqlite";
    in.ref = rpm_query_all(in.root, "sqlite");
    in.records = sqlite_records(in.sqlite_db);
    return in;
  }();
  return kInstalled;
}

#define BW_REQUIRE_INSTALLED(var)              \
  BW_REQUIRE_COMMAND("rpmbuild");              \
  BW_REQUIRE_COMMAND("rpm");                   \
  const Installed& var = installed();          \
  ASSERT_TRUE(var.error.empty()) << var.error; \
  ASSERT_FALSE(var.ref.empty())

// Ours and rpm's, package for package. gpg-pubkey is in rpm's list and not in ours.
void expect_same_packages(std::vector<RefPackage> ref, const std::vector<core::Package>& ours,
                          std::string_view db_format) {
  std::erase_if(ref, [](const RefPackage& r) { return r.name == "gpg-pubkey"; });
  ASSERT_EQ(ours.size(), ref.size());
  std::sort(ref.begin(), ref.end(), [](const RefPackage& a, const RefPackage& b) {
    return std::tie(a.name, a.evr, a.arch) < std::tie(b.name, b.evr, b.arch);
  });
  for (size_t i = 0; i < ref.size(); ++i) {
    const RefPackage& r = ref[i];
    const core::Package& p = ours[i];
    SCOPED_TRACE(r.name);
    const auto* m = std::get_if<core::RpmMetadata>(&p.metadata);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(p.name, r.name);
    EXPECT_EQ(p.version, r.evr);
    EXPECT_EQ(std::to_string(m->epoch.value_or(0)), r.epochnum);
    EXPECT_EQ(m->release, r.release);
    EXPECT_EQ(p.version.substr(p.version.find(':') + 1), r.version + "-" + r.release);
    EXPECT_EQ(p.architecture, r.arch);
    EXPECT_EQ(m->source_rpm, r.sourcerpm);
    EXPECT_EQ(p.licenses, std::vector<std::string>{r.license});
    EXPECT_EQ(m->vendor, r.vendor);
    EXPECT_EQ(m->modularity_label, r.modularity);
    EXPECT_EQ(m->db_format, db_format);
    EXPECT_EQ(p.files, r.files);
    EXPECT_EQ(p.ecosystem, "rpm");
  }
}

std::vector<core::Package> read_ok(std::string_view path, std::string bytes) {
  std::vector<std::string> warnings;
  auto r = read_rpm_database(path, std::move(bytes), warnings);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
  EXPECT_TRUE(warnings.empty()) << warnings.front();
  return r.ok() ? std::move(r).value() : std::vector<core::Package>{};
}

// ---------------------------------------------------------------------------------------------
// Writers for the other two formats.

// A Berkeley DB hash database written by libdb, keyed like rpm's: the instance number in the
// host's byte order (for a big-endian file, as a big-endian host would), plus rpm's record 0.
void write_bdb(const fs::path& file, const Records& records, uint32_t page_size, bool big_endian) {
  DB* db = nullptr;
  ASSERT_EQ(db_create(&db, nullptr, 0), 0);
  ASSERT_EQ(db->set_pagesize(db, page_size), 0);
  ASSERT_EQ(db->set_lorder(db, big_endian ? 4321 : 1234), 0);
  ASSERT_EQ(db->open(db, nullptr, file.c_str(), nullptr, DB_HASH, DB_CREATE | DB_TRUNCATE, 0644),
            0);
  auto key_bytes = [big_endian](uint32_t v) {
    std::string k(4, '\0');
    for (int i = 0; i < 4; ++i) {
      k[static_cast<size_t>(big_endian ? 3 - i : i)] = static_cast<char>(v >> (8 * i));
    }
    return k;
  };
  auto put = [db](std::string k, std::string v) {
    DBT key{};
    DBT val{};
    key.data = k.data();
    key.size = static_cast<u_int32_t>(k.size());
    val.data = v.data();
    val.size = static_cast<u_int32_t>(v.size());
    return db->put(db, nullptr, &key, &val, 0);
  };
  uint32_t max = 0;
  for (const auto& [instance, blob] : records) {
    ASSERT_EQ(put(key_bytes(instance), blob), 0);
    max = std::max(max, instance);
  }
  ASSERT_EQ(put(key_bytes(0), key_bytes(max + 1)), 0);
  ASSERT_EQ(db->close(db, 0), 0);
}

uint32_t adler32(std::string_view s) {
  uint32_t a = 1, b = 0;
  for (unsigned char c : s) {
    a = (a + c) % 65521;
    b = (b + a) % 65521;
  }
  return b << 16 | a;
}

void put_le32(std::string& s, size_t off, uint32_t v) {
  for (int i = 0; i < 4; ++i) s[off + static_cast<size_t>(i)] = static_cast<char>(v >> (8 * i));
}

// A Packages.db laid out as rpm's rpmpkg.c writes it. `free_every` leaves every n-th slot free
// (as deleting a package does); slots are filled in reverse instance order so that slot order
// and blob order differ.
std::string write_ndb(const Records& records, size_t free_every = 0) {
  constexpr size_t kPage = 4096, kSlot = 16, kBlk = 16;
  size_t slots_needed = records.size() + 2;
  if (free_every != 0) slots_needed += records.size() / free_every + 1;
  const size_t slot_pages = (slots_needed * kSlot + kPage - 1) / kPage;
  std::string db(slot_pages * kPage, '\0');
  put_le32(db, 0, 'R' | 'p' << 8 | 'm' << 16 | 'P' << 24);
  put_le32(db, 4, 0);
  put_le32(db, 8, 42);  // generation
  put_le32(db, 12, static_cast<uint32_t>(slot_pages));
  uint32_t next = 1;
  for (const auto& r : records) next = std::max(next, r.first + 1);
  put_le32(db, 16, next);
  for (size_t off = 32; off < db.size(); off += kSlot)
    put_le32(db, off, 'S' | 'l' << 8 | 'o' << 16 | 't' << 24);
  size_t slot = 2;
  for (size_t i = 0; i < records.size(); ++i) {
    const auto& [instance, blob] = records[records.size() - 1 - i];
    if (free_every != 0 && i % free_every == 0) ++slot;  // a free slot (block offset 0)
    const size_t blkcnt = (16 + blob.size() + 12 + kBlk - 1) / kBlk;
    const size_t blkoff = db.size() / kBlk;
    std::string area(blkcnt * kBlk, '\0');
    put_le32(area, 0, 'B' | 'l' << 8 | 'b' << 16 | 'S' << 24);
    put_le32(area, 4, instance);
    put_le32(area, 8, 42);
    put_le32(area, 12, static_cast<uint32_t>(blob.size()));
    area.replace(16, blob.size(), blob);
    put_le32(area, area.size() - 12, adler32(std::string_view(area).substr(0, area.size() - 12)));
    put_le32(area, area.size() - 8, static_cast<uint32_t>(blob.size()));
    put_le32(area, area.size() - 4, 'B' | 'l' << 8 | 'b' << 16 | 'E' << 24);
    db += area;
    put_le32(db, slot * kSlot + 4, instance);
    put_le32(db, slot * kSlot + 8, static_cast<uint32_t>(blkoff));
    put_le32(db, slot * kSlot + 12, static_cast<uint32_t>(blkcnt));
    ++slot;
  }
  return db;
}

// `copies` records cycling through the installed headers, as a large database would hold.
Records many_records(const Records& base, size_t copies) {
  Records out;
  for (size_t i = 0; i < copies; ++i)
    out.emplace_back(static_cast<uint32_t>(i + 1), base[i % base.size()].second);
  return out;
}

std::vector<RefPackage> repeat_ref(const std::vector<RefPackage>& ref, const Records& base,
                                   size_t copies) {
  // The reference for many_records(): rpm's answer for header i, repeated as the records are.
  std::map<std::string, RefPackage> by_blob;
  std::vector<RefPackage> out;
  for (size_t i = 0; i < copies; ++i) {
    auto h = parse_rpm_header(base[i % base.size()].second);
    EXPECT_TRUE(h.ok());
    for (const auto& r : ref) {
      if (h.ok() && r.name == h->name) {
        out.push_back(r);
        break;
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// A small header writer for hand-made cases.

class HeaderWriter {
 public:
  HeaderWriter& str(uint32_t tag, std::string_view s, uint32_t type = 6) {
    add(tag, type, 1, std::string(s) + '\0');
    return *this;
  }
  HeaderWriter& strs(uint32_t tag, const std::vector<std::string>& v) {
    std::string d;
    for (const auto& s : v) d += s + '\0';
    add(tag, 8, static_cast<uint32_t>(v.size()), d);
    return *this;
  }
  HeaderWriter& int32s(uint32_t tag, const std::vector<uint32_t>& v) {
    while (data_.size() % 4 != 0) data_.push_back('\0');
    std::string d;
    for (uint32_t x : v) d += be(x);
    add(tag, 4, static_cast<uint32_t>(v.size()), d);
    return *this;
  }
  // A raw index entry, for corrupt cases.
  HeaderWriter& raw(uint32_t tag, uint32_t type, uint32_t offset, uint32_t count) {
    index_ += be(tag) + be(type) + be(offset) + be(count);
    ++il_;
    return *this;
  }
  HeaderWriter& nevr(std::string_view n = "pkg", std::string_view v = "1.0",
                     std::string_view r = "1") {
    return str(kRpmTagName, n).str(kRpmTagVersion, v).str(kRpmTagRelease, r);
  }
  std::string blob() const {
    return be(il_) + be(static_cast<uint32_t>(data_.size())) + index_ + data_;
  }

 private:
  static std::string be(uint32_t v) {
    std::string s(4, '\0');
    for (int i = 0; i < 4; ++i) s[static_cast<size_t>(i)] = static_cast<char>(v >> (8 * (3 - i)));
    return s;
  }
  void add(uint32_t tag, uint32_t type, uint32_t count, const std::string& d) {
    raw(tag, type, static_cast<uint32_t>(data_.size()), count);
    data_ += d;
  }
  uint32_t il_ = 0;
  std::string index_;
  std::string data_;
};

// ---------------------------------------------------------------------------------------------
// Differential tests.

TEST(RpmSqlite, MatchesRpmPackageForPackage) {
  BW_REQUIRE_INSTALLED(in);
  auto ours = read_ok("var/lib/rpm/rpmdb.sqlite", read_file(in.sqlite_db));
  expect_same_packages(in.ref, ours, "sqlite");
  // Five packages from four spec files, plus the key when gpg could make one.
  EXPECT_EQ(ours.size(), 5U);
  EXPECT_EQ(in.ref.size(), in.has_pubkey ? 6U : 5U);
  ::testing::Test::RecordProperty("rpm_packages_compared", static_cast<int>(ours.size()));
}

TEST(RpmSqlite, FilesMatchRpmQueryList) {
  BW_REQUIRE_INSTALLED(in);
  auto ours = read_ok("var/lib/rpm/rpmdb.sqlite", read_file(in.sqlite_db));
  for (const auto& p : ours) {
    SCOPED_TRACE(p.name);
    std::string out;
    ASSERT_EQ(run_command("rpm --root '" + in.root.string() + "' --dbpath /var/lib/rpm -ql '" +
                              p.name + "'",
                          &out),
              0);
    std::vector<std::string> listed;
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
      if (!line.empty() && line != "(contains no files)") listed.push_back(relative(line));
    }
    EXPECT_EQ(p.files, listed);
  }
}

TEST(RpmSqlite, ReadsWalAndRollbackModeFilesAlike) {
  BW_REQUIRE_INSTALLED(in);
  // rpm leaves its database in WAL mode; sqlite's in-memory VFS cannot open WAL databases, so
  // the reader marks its own copy as a rollback-journal database (the caller's bytes and the
  // file on disk are never touched).
  const std::string wal = read_file(in.sqlite_db);
  ASSERT_EQ(wal[18], 2) << "rpm's database is expected in WAL mode";
  std::string rollback = wal;
  rollback[18] = rollback[19] = 1;
  auto a = read_ok("var/lib/rpm/rpmdb.sqlite", wal);
  auto b = read_ok("var/lib/rpm/rpmdb.sqlite", rollback);
  EXPECT_EQ(a.size(), 5U);
  EXPECT_EQ(a, b);
}

struct BdbCase {
  uint32_t page_size;
  bool big_endian;
  size_t copies;  // 0: the installed headers as they are
};

void PrintTo(const BdbCase& c, std::ostream* os) {
  *os << "page size " << c.page_size << (c.big_endian ? ", big-endian, " : ", little-endian, ")
      << c.copies << " copies";
}

class RpmBdb : public ::testing::TestWithParam<BdbCase> {};

TEST_P(RpmBdb, MatchesRpmReadingTheSameFile) {
  BW_REQUIRE_INSTALLED(in);
  const BdbCase c = GetParam();
  const Records records = c.copies == 0 ? in.records : many_records(in.records, c.copies);
  TempDir dir;
  const fs::path root = dir.path() / "root";
  fs::create_directories(root / "var/lib/rpm");
  write_bdb(root / "var/lib/rpm/Packages", records, c.page_size, c.big_endian);
  auto ref = rpm_query_all(root, "bdb_ro");
  ASSERT_EQ(ref.size(), records.size()) << "rpm's bdb_ro did not read every record";
  const std::string bytes = read_file(root / "var/lib/rpm/Packages");
  if (c.copies != 0) {
    // The file really has many buckets (the hash was split), so the bucket-to-page mapping
    // through spares[] is exercised, not just bucket 0.
    const size_t at = 72;
    uint32_t max_bucket = 0;
    for (size_t i = 0; i < 4; ++i) {
      auto b = static_cast<uint32_t>(static_cast<unsigned char>(bytes[at + i]));
      max_bucket |= c.big_endian ? b << (8 * (3 - i)) : b << (8 * i);
    }
    EXPECT_GE(max_bucket, 2U);  // buckets from at least three doublings
  }
  auto ours = read_ok("var/lib/rpm/Packages", bytes);
  expect_same_packages(ref, ours, "bdb");
}

INSTANTIATE_TEST_SUITE_P(PageSizesAndByteOrders, RpmBdb,
                         ::testing::Values(BdbCase{4096, false, 0}, BdbCase{4096, true, 0},
                                           BdbCase{512, false, 0}, BdbCase{65536, false, 0},
                                           // enough records to split buckets and chain pages
                                           BdbCase{4096, false, 700}, BdbCase{512, true, 1500}),
                         [](const ::testing::TestParamInfo<BdbCase>& p) {
                           return "page" + std::to_string(p.param.page_size) +
                                  (p.param.big_endian ? "_big" : "_little") + "_" +
                                  std::to_string(p.param.copies);
                         });

TEST(RpmNdb, MatchesRpmForTheSameHeaders) {
  BW_REQUIRE_INSTALLED(in);
  auto ours = read_ok("usr/lib/sysimage/rpm/Packages.db", write_ndb(in.records));
  expect_same_packages(in.ref, ours, "ndb");
}

TEST(RpmNdb, ReadsSeveralSlotPagesWithFreeSlots) {
  BW_REQUIRE_INSTALLED(in);
  const Records records = many_records(in.records, 600);  // 600 slots: three slot pages
  auto ours = read_ok("usr/lib/sysimage/rpm/Packages.db", write_ndb(records, 7));
  expect_same_packages(repeat_ref(in.ref, in.records, 600), ours, "ndb");
}

// ---------------------------------------------------------------------------------------------
// The cataloger as the layer reader drives it.

TEST(RpmCatalog, EmitsPackagesUnderTheDatabasePath) {
  BW_REQUIRE_INSTALLED(in);
  RpmCataloger cat;
  const std::string bytes = read_file(in.sqlite_db);
  image::Entry entry;
  entry.path = "usr/lib/sysimage/rpm/rpmdb.sqlite";
  entry.size = bytes.size();
  image::StringContent content(bytes);
  image::LayerFacts facts;
  ASSERT_TRUE(cat.analyze(entry, content, facts).ok());
  ASSERT_EQ(facts.packages_by_path.count(entry.path), 1U);
  const auto& pkgs = facts.packages_by_path[entry.path];
  ASSERT_EQ(pkgs.size(), 5U);
  EXPECT_TRUE(facts.warnings.empty());
  const auto& alpha = pkgs[0];
  EXPECT_EQ(alpha.name, "bw-alpha");
  EXPECT_EQ(alpha.version, "2:1.0-3.fc40");
  EXPECT_EQ(alpha.source_name, "bw-alpha");
  EXPECT_EQ(alpha.source_version, "2:1.0-3.fc40");
  EXPECT_EQ(alpha.locations, std::vector<core::Location>{core::Location{entry.path}});
  EXPECT_EQ(alpha.purl,
            "pkg:rpm/bw-alpha@1.0-3.fc40?arch=noarch&epoch=2&upstream=bw-alpha-1.0-3.fc40.src.rpm");
  const auto& libs = pkgs[2];
  EXPECT_EQ(libs.name, "bw-beta-libs");
  EXPECT_EQ(libs.source_name, "bw-beta");
  EXPECT_EQ(libs.source_version, "2.5.1-1.el9");
  const auto& delta = pkgs[3];
  EXPECT_EQ(delta.name, "bw-delta++");
  EXPECT_EQ(delta.purl,
            "pkg:rpm/"
            "bw-delta%2B%2B@3.0%5Egit20240101-7.bw1?arch=noarch&upstream=bw-delta%2B%2B-3.0%"
            "5Egit20240101-7.bw1.src.rpm");
  const auto& gamma = pkgs[4];
  EXPECT_EQ(gamma.version, "0:0.9~rc1-0.1");  // as rpm's %{EVR}: an explicit Epoch 0 is shown
  EXPECT_EQ(gamma.purl,
            "pkg:rpm/bw-gamma@0.9~rc1-0.1?arch=noarch&upstream=bw-gamma-0.9~rc1-0.1.src.rpm");
  EXPECT_TRUE(gamma.files.empty());
}

const core::Package* find_package(const std::vector<core::Package>& v, std::string_view name) {
  for (const auto& p : v) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

TEST(RpmCatalog, ScansAnImageLayerByLayer) {
  BW_REQUIRE_INSTALLED(in);
  using bulwark::testing::TarEntry;
  TempDir tmp;
  bulwark::testing::ImageBuilder b;
  // Fedora 36+ layout: the database under usr/lib/sysimage, var/lib/rpm a symlink to it.
  b.layer({TarEntry::file("etc/os-release", "ID=\"rhel\"\nVERSION_ID=\"9.3\"\n"),
           TarEntry::file("usr/lib/sysimage/rpm/rpmdb.sqlite", read_file(in.partial_db)),
           TarEntry::symlink("var/lib/rpm", "../../usr/lib/sysimage/rpm")});
  b.layer({TarEntry::file("usr/lib/sysimage/rpm/rpmdb.sqlite", read_file(in.sqlite_db))});
  b.write_oci_layout(tmp.str() + "/oci");

  auto img = image::open_image(tmp.str() + "/oci", {});
  ASSERT_TRUE(img.ok()) << img.error().message();
  auto catalogers = all_catalogers();
  std::vector<const image::Analyzer*> analyzers;
  for (const auto& c : catalogers) analyzers.push_back(c.get());
  auto layers = image::read_layers(*img, analyzers, {});
  ASSERT_TRUE(layers.ok()) << layers.error().message();
  Sbom sbom = build_sbom(*img, *layers, catalogers);

  EXPECT_EQ(sbom.os.id, "rhel");
  ASSERT_EQ(sbom.packages.size(), 5U);
  EXPECT_TRUE(sbom.removed_packages.empty());
  const auto* alpha = find_package(sbom.packages, "bw-alpha");
  ASSERT_NE(alpha, nullptr);
  EXPECT_EQ(alpha->locations.at(0).layer_index, 0);
  EXPECT_EQ(alpha->locations.at(0).path, "usr/lib/sysimage/rpm/rpmdb.sqlite");
  EXPECT_EQ(
      alpha->purl,
      "pkg:rpm/redhat/bw-alpha@1.0-3.fc40?arch=noarch&distro=rhel-9.3&epoch=2&upstream=bw-alpha-"
      "1.0-3.fc40.src.rpm");
  const auto* beta = find_package(sbom.packages, "bw-beta");
  ASSERT_NE(beta, nullptr);
  EXPECT_EQ(beta->locations.at(0).layer_index, 1);
  EXPECT_EQ(beta->files.size(), 403U);  // usr/bin/bw-beta, two directories, 400 data files
}

TEST(RpmCatalog, AsksForEveryDatabaseLocation) {
  RpmCataloger cat;
  std::vector<std::string> paths;
  for (const auto& p : cat.patterns()) {
    EXPECT_EQ(p.kind, image::PathPattern::Kind::kExact);
    paths.push_back(p.text);
  }
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(paths, (std::vector<std::string>{
                       "usr/lib/sysimage/rpm/Packages", "usr/lib/sysimage/rpm/Packages.db",
                       "usr/lib/sysimage/rpm/rpmdb.sqlite", "var/lib/rpm/Packages",
                       "var/lib/rpm/Packages.db", "var/lib/rpm/rpmdb.sqlite"}));
}

TEST(RpmCatalog, SkipsNonFilesAndReportsUnreadableDatabases) {
  RpmCataloger cat;
  image::LayerFacts facts;
  image::Entry link;
  link.path = "var/lib/rpm/rpmdb.sqlite";
  link.type = image::EntryType::kSymlink;
  image::StringContent nothing("");
  EXPECT_TRUE(cat.analyze(link, nothing, facts).ok());
  image::Entry file;
  file.path = "var/lib/rpm/Packages";
  image::StringContent junk(
      "not a database at all, just some bytes that are long enough........"
      "................................................................."
      "................................................................."
      "................................................................");
  auto r = cat.analyze(file, junk, facts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), core::ErrorCode::kInvalidInput);
  EXPECT_NE(r.error().message().find("var/lib/rpm/Packages"), std::string::npos);
  EXPECT_TRUE(facts.packages_by_path.empty());
}

TEST(RpmCatalog, GpgPubkeyIsNotAPackage) {
  BW_REQUIRE_INSTALLED(in);
  if (!in.has_pubkey) BW_SKIP_OR_FAIL("gpg could not make a key to import");
  auto ours = read_ok("var/lib/rpm/rpmdb.sqlite", read_file(in.sqlite_db));
  EXPECT_EQ(in.records.size(), ours.size() + 1);
  for (const auto& p : ours) EXPECT_NE(p.name, "gpg-pubkey");
}

TEST(RpmCatalog, DamagedHeaderIsAWarningNotTheEndOfTheDatabase) {
  Records records{{1, HeaderWriter().nevr("good").str(kRpmTagArch, "noarch").blob()},
                  {2, "\x00\x00\x00\x01 garbage"},
                  {3, HeaderWriter().nevr("also-good").blob()}};
  std::vector<std::string> warnings;
  auto r = read_rpm_database("var/lib/rpm/Packages.db", write_ndb(records), warnings);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->size(), 2U);
  EXPECT_EQ((*r)[0].name, "also-good");
  EXPECT_EQ((*r)[1].name, "good");
  ASSERT_EQ(warnings.size(), 1U);
  EXPECT_EQ(warnings[0].rfind("var/lib/rpm/Packages.db: header 2: rpm header:", 0), 0U)
      << warnings[0];
}

core::Package with_location(std::string name, std::string path) {
  core::Package p;
  p.name = std::move(name);
  p.ecosystem = "rpm";
  p.locations.push_back(core::Location{std::move(path)});
  p.metadata = core::RpmMetadata{};
  return p;
}

TEST(RpmCatalog, FinalizeKeepsTheDatabaseRpmWouldRead) {
  RpmCataloger cat;
  image::MergedFs merged;
  std::vector<image::LayerResult> layers;
  MergeContext ctx(merged, layers);
  std::vector<core::Package> pkgs{with_location("old", "var/lib/rpm/Packages"),
                                  with_location("new", "var/lib/rpm/rpmdb.sqlite"),
                                  with_location("also-new", "var/lib/rpm/rpmdb.sqlite"),
                                  with_location("moved", "usr/lib/sysimage/rpm/Packages")};
  cat.finalize(ctx, pkgs);
  ASSERT_EQ(pkgs.size(), 2U);
  EXPECT_EQ(pkgs[0].name, "new");
  EXPECT_EQ(pkgs[1].name, "also-new");

  std::vector<core::Package> moved{with_location("a", "var/lib/rpm/Packages.db"),
                                   with_location("b", "usr/lib/sysimage/rpm/Packages.db")};
  cat.finalize(ctx, moved);
  ASSERT_EQ(moved.size(), 1U);
  EXPECT_EQ(moved[0].name, "b");
}

TEST(RpmCatalog, FinalizeAddsTheDistributionToThePurl) {
  RpmCataloger cat;
  image::MergedFs merged;
  std::vector<image::LayerResult> layers;
  MergeContext ctx(merged, layers);
  ctx.set_os(core::OsInfo{"RHEL", "9.3", "", "", "", ""});
  auto p = with_location("bash", "var/lib/rpm/rpmdb.sqlite");
  p.version = "1:5.1.8-6.el9";
  p.architecture = "x86_64";
  p.metadata =
      core::RpmMetadata{1, "6.el9", "bash-5.1.8-6.el9.src.rpm", "", "Red Hat, Inc.", "sqlite"};
  std::vector<core::Package> pkgs{p};
  cat.finalize(ctx, pkgs);
  EXPECT_EQ(
      pkgs[0].purl,
      "pkg:rpm/redhat/"
      "bash@5.1.8-6.el9?arch=x86_64&distro=rhel-9.3&epoch=1&upstream=bash-5.1.8-6.el9.src.rpm");
}

// ---------------------------------------------------------------------------------------------
// Headers.

TEST(RpmHeader, ReadsHandWrittenHeader) {
  auto blob = HeaderWriter()
                  .nevr("pkg", "1.2", "3")
                  .int32s(kRpmTagEpoch, {7})
                  .str(kRpmTagLicense, "MIT")
                  .str(kRpmTagArch, "aarch64")
                  .str(kRpmTagModularityLabel, "m:s:1:c")
                  .strs(kRpmTagDirnames, {"/usr/bin/", "/etc/"})
                  .strs(kRpmTagBasenames, {"tool", "tool.conf", "other"})
                  .int32s(kRpmTagDirIndexes, {0, 1, 0})
                  .blob();
  auto h = parse_rpm_header(blob);
  ASSERT_TRUE(h.ok()) << h.error().message();
  EXPECT_EQ(h->name, "pkg");
  EXPECT_EQ(h->epoch, 7);
  EXPECT_EQ(h->arch, "aarch64");
  EXPECT_EQ(h->modularity_label, "m:s:1:c");
  EXPECT_EQ(h->files,
            (std::vector<std::string>{"/usr/bin/tool", "/etc/tool.conf", "/usr/bin/other"}));
}

TEST(RpmHeader, ReadsLegacyOldFilenames) {
  auto h = parse_rpm_header(
      HeaderWriter().nevr().strs(kRpmTagOldFilenames, {"/bin/a", "/bin/b"}).blob());
  ASSERT_TRUE(h.ok()) << h.error().message();
  EXPECT_EQ(h->files, (std::vector<std::string>{"/bin/a", "/bin/b"}));
  EXPECT_FALSE(h->epoch.has_value());
}

TEST(RpmHeader, LaterEntryOfATagWins) {
  // rpm appends entries after the immutable region; such a "dribble" entry replaces the
  // region's entry of the same tag.
  auto h = parse_rpm_header(
      HeaderWriter().nevr().str(kRpmTagVendor, "old").str(kRpmTagVendor, "new").blob());
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->vendor, "new");
}

TEST(RpmHeader, I18nStringTakesTheFirstValue) {
  auto blob = HeaderWriter().nevr().str(kRpmTagLicense, std::string("GPL\0GPL-de", 10), 9).blob();
  auto h = parse_rpm_header(blob);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->license, "GPL");
}

void expect_invalid(const std::string& blob, std::string_view needle) {
  auto h = parse_rpm_header(blob);
  ASSERT_FALSE(h.ok()) << "accepted: " << needle;
  EXPECT_EQ(h.error().code(), core::ErrorCode::kInvalidInput);
  EXPECT_NE(h.error().message().find(needle), std::string::npos) << h.error().message();
}

TEST(RpmHeader, RejectsMalformedHeaders) {
  expect_invalid("", "preamble");
  expect_invalid(std::string("\xff\xff\xff\xff\0\0\0\0", 8), "index count");
  expect_invalid(std::string("\0\0\0\1\xff\xff\xff\xff", 8), "data size");
  expect_invalid(std::string("\0\0\0\1\0\0\0\0", 8), "truncated");
  expect_invalid(HeaderWriter().raw(kRpmTagName, 6, 0, 1).blob(), "count");  // empty data store
  expect_invalid(HeaderWriter().nevr().raw(kRpmTagArch, 6, 1000, 1).blob(), "offset outside");
  expect_invalid(HeaderWriter().nevr().raw(kRpmTagArch, 42, 0, 1).blob(), "unknown type");
  expect_invalid(HeaderWriter().nevr().raw(kRpmTagEpoch, 4, 0, 1000).blob(), "count");
  expect_invalid(HeaderWriter().nevr().raw(kRpmTagEpoch, 4, 8, 1).blob(), "past the data store");
  expect_invalid(HeaderWriter().nevr().raw(kRpmTagArch, 6, 0, 0).blob(), "count");
  expect_invalid(HeaderWriter().nevr().int32s(kRpmTagName, {1}).blob(), "not a string");
  expect_invalid(HeaderWriter().str(kRpmTagVersion, "1").str(kRpmTagRelease, "1").blob(),
                 "no NAME");
  expect_invalid(HeaderWriter()
                     .nevr()
                     .strs(kRpmTagDirnames, {"/"})
                     .strs(kRpmTagBasenames, {"a", "b"})
                     .int32s(kRpmTagDirIndexes, {0})
                     .blob(),
                 "dir indexes");
  expect_invalid(HeaderWriter()
                     .nevr()
                     .strs(kRpmTagDirnames, {"/"})
                     .strs(kRpmTagBasenames, {"a"})
                     .int32s(kRpmTagDirIndexes, {5})
                     .blob(),
                 "dir index 5");
  // A string array claiming more strings than the data holds.
  std::string blob = HeaderWriter().nevr().strs(kRpmTagBasenames, {"a"}).blob();
  blob[8 + 3 * 16 + 15] = 9;  // count of the fourth entry (BASENAMES)
  expect_invalid(blob, "not terminated");
  // The last string of the store without its terminator.
  std::string unterminated = HeaderWriter().nevr().blob();
  unterminated.pop_back();
  unterminated[7] = static_cast<char>(unterminated[7] - 1);
  expect_invalid(unterminated, "not terminated");
}

TEST(RpmHeader, EveryTruncationOfARealHeaderIsAnError) {
  BW_REQUIRE_INSTALLED(in);
  for (const auto& [instance, blob] : in.records) {
    for (size_t n = 0; n < blob.size(); ++n) {
      auto h = parse_rpm_header(std::string_view(blob).substr(0, n));
      ASSERT_FALSE(h.ok()) << "instance " << instance << " cut at " << n;
    }
    EXPECT_TRUE(parse_rpm_header(blob).ok());
  }
}

TEST(RpmHeader, SurvivesBitFlips) {
  BW_REQUIRE_INSTALLED(in);
  std::mt19937 rng(1234);
  for (const auto& [instance, blob] : in.records) {
    for (int round = 0; round < 2000; ++round) {
      std::string b = blob;
      std::uniform_int_distribution<size_t> pos(0, std::min<size_t>(b.size() - 1, 4096));
      for (int k = 0; k < 4; ++k) b[pos(rng)] ^= static_cast<char>(1 << (rng() % 8));
      (void)parse_rpm_header(b);  // must not crash, hang or trip a sanitizer
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Damaged databases: each is an error (never a crash, never a hang).

core::Result<void> walk_all(core::Result<void> (*reader)(std::string_view, const RpmBlobVisitor&),
                            std::string_view db) {
  return reader(db, [](uint32_t, std::string_view blob) -> core::Result<void> {
    BW_TRY(parse_rpm_header(blob));
    return core::ok();
  });
}

std::string libdb_file(const Records& records, uint32_t page_size, bool big_endian = false) {
  TempDir dir;
  write_bdb(dir.path() / "Packages", records, page_size, big_endian);
  return read_file(dir.path() / "Packages");
}

uint32_t le32_at(const std::string& s, size_t off) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<uint32_t>(static_cast<unsigned char>(s[off + static_cast<size_t>(i)]))
         << (8 * i);
  return v;
}

TEST(RpmBdbDamage, TruncatedFilesAreErrors) {
  BW_REQUIRE_INSTALLED(in);
  const std::string db = libdb_file(in.records, 1024);
  ASSERT_TRUE(walk_all(read_rpm_bdb, db).ok());
  for (size_t n : {size_t{0}, size_t{100}, size_t{511}, size_t{1024}, size_t{1500}, db.size() / 2,
                   db.size() - 1024, db.size() - 1}) {
    EXPECT_FALSE(walk_all(read_rpm_bdb, std::string_view(db).substr(0, n)).ok()) << n;
  }
}

TEST(RpmBdbDamage, BadMetadataIsRejected) {
  BW_REQUIRE_INSTALLED(in);
  const std::string good = libdb_file(in.records, 4096);
  auto with = [&good](size_t off, std::string_view bytes) -> std::optional<core::ErrorCode> {
    std::string b = good;
    b.replace(off, bytes.size(), bytes);
    auto r = walk_all(read_rpm_bdb, b);
    if (r.ok()) return std::nullopt;
    return r.error().code();
  };
  ASSERT_EQ(with(0, ""), std::nullopt);
  EXPECT_EQ(with(12, std::string("\x62\x31\x05\x00", 4)), core::ErrorCode::kUnsupported);  // btree
  EXPECT_EQ(with(12, "xxxx"), core::ErrorCode::kInvalidInput);
  EXPECT_EQ(with(16, std::string("\x07\0\0\0", 4)), core::ErrorCode::kUnsupported);   // version
  EXPECT_EQ(with(20, std::string("\0\x30\0\0", 4)), core::ErrorCode::kInvalidInput);  // 12288
  EXPECT_EQ(with(24, "\x01"), core::ErrorCode::kUnsupported);                         // encrypted
  EXPECT_EQ(with(26, "\x01"), core::ErrorCode::kUnsupported);                         // checksummed
  EXPECT_EQ(with(25, "\x09"), core::ErrorCode::kInvalidInput);  // not a hash metadata page
  EXPECT_EQ(with(32, "\xff\xff\x00\x00"), core::ErrorCode::kInvalidInput);  // last page
  EXPECT_EQ(with(72, "\xff\xff\xff\x00"), core::ErrorCode::kInvalidInput);  // buckets
  EXPECT_EQ(with(96, "\xff\xff\x00\x00"), core::ErrorCode::kInvalidInput);  // spares
}

TEST(RpmBdbDamage, CyclesAndBadLinksAreErrors) {
  BW_REQUIRE_INSTALLED(in);
  constexpr uint32_t kPage = 1024;
  const std::string good = libdb_file(in.records, kPage);
  const size_t pages = good.size() / kPage;
  int overflow_pages = 0, hash_pages = 0;
  for (size_t pg = 1; pg < pages; ++pg) {
    const size_t base = pg * kPage;
    const auto type = static_cast<uint8_t>(good[base + 25]);
    std::string self(4, '\0');
    for (int i = 0; i < 4; ++i) self[static_cast<size_t>(i)] = static_cast<char>(pg >> (8 * i));
    const bool has_next = le32_at(good, base + 16) != 0;
    if (type == 7) {
      ++overflow_pages;
      std::string b = good;
      if (has_next) {
        b.replace(base + 16, 4, self);  // next page: itself
        EXPECT_FALSE(walk_all(read_rpm_bdb, b).ok()) << "overflow self-loop at " << pg;
      }
      b = good;
      b.replace(base + 22, 2, std::string("\xff\xff", 2));  // more bytes than the page holds
      EXPECT_FALSE(walk_all(read_rpm_bdb, b).ok());
      b = good;
      b.replace(base + 8, 4, "\x01\x02\x03\x04");  // page number mismatch
      EXPECT_FALSE(walk_all(read_rpm_bdb, b).ok());
    } else if (type == 13 || type == 2) {
      ++hash_pages;
      std::string b = good;
      b.replace(base + 16, 4, self);  // bucket chain loops back
      EXPECT_FALSE(walk_all(read_rpm_bdb, b).ok()) << "bucket self-loop at " << pg;
      b = good;
      b.replace(base + 20, 2, std::string("\x01\x00", 2));  // odd number of entries
      EXPECT_FALSE(walk_all(read_rpm_bdb, b).ok());
      if (good[base + 20] != 0) {
        b = good;
        b.replace(base + 26, 2, std::string("\x05\x00", 2));  // item offset inside the header
        EXPECT_FALSE(walk_all(read_rpm_bdb, b).ok());
      }
    }
  }
  EXPECT_GT(overflow_pages, 10);
  EXPECT_GT(hash_pages, 0);
}

TEST(RpmBdbDamage, SurvivesRandomDamage) {
  BW_REQUIRE_INSTALLED(in);
  const std::string good = libdb_file(in.records, 512);
  std::mt19937 rng(99);
  std::uniform_int_distribution<size_t> pos(0, good.size() - 1);
  for (int round = 0; round < 3000; ++round) {
    std::string b = good;
    for (int k = 0; k < 3; ++k) b[pos(rng)] = static_cast<char>(rng());
    (void)walk_all(read_rpm_bdb, b);
  }
}

TEST(RpmNdbDamage, TruncatedAndBadFramesAreErrors) {
  BW_REQUIRE_INSTALLED(in);
  const std::string good = write_ndb(in.records);
  ASSERT_TRUE(walk_all(read_rpm_ndb, good).ok());
  for (size_t n : {size_t{0}, size_t{16}, size_t{31}, size_t{4000}, size_t{4096}, good.size() / 2,
                   good.size() - 16}) {
    EXPECT_FALSE(walk_all(read_rpm_ndb, std::string_view(good).substr(0, n)).ok()) << n;
  }
  EXPECT_FALSE(walk_all(read_rpm_ndb, good + "x").ok());  // not whole blocks
  auto damaged = [&good](size_t off, uint32_t v) {
    std::string b = good;
    put_le32(b, off, v);
    return walk_all(read_rpm_ndb, b);
  };
  EXPECT_EQ(damaged(4, 1).error().code(), core::ErrorCode::kUnsupported);  // version
  EXPECT_FALSE(damaged(12, 0).ok());                                       // no slot pages
  EXPECT_FALSE(damaged(12, 1000).ok());                                    // slot pages past end
  EXPECT_FALSE(damaged(32, 0).ok());                                       // slot magic
  EXPECT_FALSE(damaged(32 + 4, 0).ok());                                   // package index 0
  EXPECT_FALSE(damaged(32 + 8, 3).ok());                                   // blob inside slot area
  EXPECT_FALSE(damaged(32 + 12, 0xfffffff0).ok());                         // blob past end
  EXPECT_FALSE(damaged(32 + 12, le32_at(good, 32 + 12) + 1).ok());         // wrong block count
  EXPECT_FALSE(damaged(48 + 8, le32_at(good, 32 + 8)).ok());               // overlapping blobs
  EXPECT_FALSE(damaged(48 + 4, le32_at(good, 32 + 4)).ok());               // one package, two slots
  const size_t blob0 = size_t{le32_at(good, 32 + 8)} * 16;
  EXPECT_FALSE(damaged(blob0, 0).ok());          // head magic
  EXPECT_FALSE(damaged(blob0 + 4, 12345).ok());  // head belongs to another package
  EXPECT_FALSE(damaged(blob0 + 12, 1).ok());     // length disagrees with blocks
  const size_t tail0 = blob0 + size_t{le32_at(good, 32 + 12)} * 16 - 12;
  EXPECT_FALSE(damaged(tail0 + 4, 1).ok());  // tail length
  EXPECT_FALSE(damaged(tail0 + 8, 0).ok());  // tail magic
  EXPECT_TRUE(damaged(tail0, 0).ok());       // adler32 is not checked, as in rpm
}

TEST(RpmNdbDamage, SurvivesRandomDamage) {
  BW_REQUIRE_INSTALLED(in);
  const std::string good = write_ndb(in.records, 2);
  std::mt19937 rng(7);
  std::uniform_int_distribution<size_t> pos(0, good.size() - 1);
  std::uniform_int_distribution<size_t> slots(0, 4096 - 1);
  for (int round = 0; round < 3000; ++round) {
    std::string b = good;
    for (int k = 0; k < 3; ++k) b[round % 2 ? pos(rng) : slots(rng)] = static_cast<char>(rng());
    (void)walk_all(read_rpm_ndb, b);
  }
}

TEST(RpmSqliteDamage, NotADatabaseOrNoPackagesTableIsAnError) {
  auto empty_walk = [](std::string db) {
    return read_rpm_sqlite(std::move(db), [](uint32_t, std::string_view) { return core::ok(); });
  };
  EXPECT_EQ(empty_walk("").error().code(), core::ErrorCode::kInvalidInput);
  EXPECT_EQ(empty_walk(std::string(4096, 'x')).error().code(), core::ErrorCode::kInvalidInput);

  TempDir dir;
  const fs::path other = dir.path() / "other.sqlite";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(other.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES (1);", nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  auto r = empty_walk(read_file(other));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("Packages"), std::string::npos) << r.error().message();
}

TEST(RpmSqliteDamage, TruncatedAndDamagedFilesDoNotCrash) {
  BW_REQUIRE_INSTALLED(in);
  const std::string good = read_file(in.sqlite_db);
  auto sqlite_walk = [](std::string_view db, const RpmBlobVisitor& v) {
    return read_rpm_sqlite(std::string(db), v);
  };
  ASSERT_TRUE(walk_all(sqlite_walk, good).ok());
  size_t errors = 0, total = 0;
  for (size_t n = 0; n < good.size(); n += 1024) {
    ++total;
    if (!walk_all(sqlite_walk, std::string_view(good).substr(0, n)).ok()) ++errors;
  }
  ::testing::Test::RecordProperty("sqlite_truncations_rejected",
                                  std::to_string(errors) + "/" + std::to_string(total));
  std::mt19937 rng(5);
  std::uniform_int_distribution<size_t> pos(100, good.size() - 1);
  for (int round = 0; round < 300; ++round) {
    std::string b = good;
    for (int k = 0; k < 8; ++k) b[pos(rng)] = static_cast<char>(rng());
    (void)walk_all(sqlite_walk, b);
  }
}

}  // namespace
}  // namespace bulwark::catalog
