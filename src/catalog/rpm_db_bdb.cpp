// Sources for the on-disk layout (facts only, no code taken):
//  - Berkeley DB's own page definitions (dbinc/db_page.h, dbinc/hash.h in the Berkeley DB
//    sources): the generic metadata page DBMETA, the hash metadata page HMETA (max_bucket,
//    high/low mask, spares[32]), the 26-byte page header PAGE, the hash item types H_KEYDATA
//    and H_OFFPAGE (HOFFPAGE: type, pad, first page, total length), and overflow pages that
//    keep their data length in hf_offset with the data right after the header.
//  - rpm's read-only reader lib/backend/bdb_ro.cc (github.com/rpm-software-management/rpm):
//    which hash versions rpm accepts (8..10), bucket-to-page mapping through spares[], keys in
//    the file's byte order, and the check that a page's stored number equals its position.
// Every offset used here was confirmed on files written by libdb 5.3 (both byte orders, page
// sizes 512..65536) in tests/catalog/rpm_test.cpp, which rpm's bdb_ro also reads.
#include "catalog/rpm_db_bdb.hpp"

#include <fmt/format.h>

#include <bit>
#include <string>
#include <vector>

namespace bulwark::catalog {
namespace {

using core::Error;
using core::Result;

// Generic metadata page (DBMETA) and hash metadata page (HMETA) field offsets.
constexpr size_t kMetaMagic = 12;
constexpr size_t kMetaVersion = 16;
constexpr size_t kMetaPageSize = 20;
constexpr size_t kMetaEncryptAlg = 24;
constexpr size_t kMetaType = 25;
constexpr size_t kMetaFlags = 26;
constexpr size_t kMetaLastPgno = 32;
constexpr size_t kMetaMaxBucket = 72;
constexpr size_t kMetaSpares = 96;
constexpr size_t kNumSpares = 32;
constexpr size_t kMetaBytes = kMetaSpares + kNumSpares * 4;

constexpr uint32_t kHashMagic = 0x061561;
constexpr uint32_t kBtreeMagic = 0x053162;
constexpr uint32_t kMinHashVersion = 8;
constexpr uint32_t kMaxHashVersion = 10;
constexpr uint8_t kMetaFlagChecksum = 0x01;

// Page header (PAGE) field offsets.
constexpr size_t kPagePgno = 8;
constexpr size_t kPageNextPgno = 16;
constexpr size_t kPageEntries = 20;
constexpr size_t kPageHfOffset = 22;  // overflow pages: bytes of data on this page
constexpr size_t kPageType = 25;
constexpr size_t kPageHeaderBytes = 26;

// Page types.
constexpr uint8_t kPageHashUnsorted = 2;
constexpr uint8_t kPageOverflow = 7;
constexpr uint8_t kPageHashMeta = 8;
constexpr uint8_t kPageHash = 13;

// Hash item types: the first byte of every item on a hash page.
constexpr uint8_t kItemKeyData = 1;
constexpr uint8_t kItemOffPage = 3;  // type, 3 unused bytes, first overflow page, total length
constexpr size_t kOffPageBytes = 12;

constexpr uint32_t kMinPageSize = 512;
constexpr uint32_t kMaxPageSize = 65536;

class BdbFile {
 public:
  BdbFile(std::string_view bytes, bool swapped, uint32_t page_size)
      : bytes_(bytes),
        swapped_(swapped),
        page_size_(page_size),
        pages_in_file_(bytes.size() / page_size),
        visited_(pages_in_file_, false) {}

  uint16_t u16(std::string_view page, size_t off) const {
    auto b0 = static_cast<uint16_t>(static_cast<unsigned char>(page[off]));
    auto b1 = static_cast<uint16_t>(static_cast<unsigned char>(page[off + 1]));
    return swapped_ ? static_cast<uint16_t>(b0 << 8 | b1) : static_cast<uint16_t>(b1 << 8 | b0);
  }
  uint32_t u32(std::string_view page, size_t off) const {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      auto b = static_cast<uint32_t>(static_cast<unsigned char>(page[off + i]));
      v |= swapped_ ? b << (8 * (3 - i)) : b << (8 * i);
    }
    return v;
  }
  uint32_t page_size() const { return page_size_; }
  uint32_t pages_in_file() const { return pages_in_file_; }

  // Each page belongs to exactly one bucket chain or overflow chain, so a page is read once:
  // a second visit means a cycle or shared pages, which only crafted files contain. This also
  // keeps the total work linear in the file size.
  Result<std::string_view> take_page(uint32_t pgno, uint8_t want_type, uint8_t alt_type) {
    if (pgno == 0 || pgno >= pages_in_file_) {
      return Error::invalid(
          fmt::format("Packages: page {} is outside the file ({} pages)", pgno, pages_in_file_));
    }
    if (visited_[pgno]) return Error::invalid(fmt::format("Packages: page {} linked twice", pgno));
    visited_[pgno] = true;
    std::string_view page = bytes_.substr(size_t{pgno} * page_size_, page_size_);
    if (u32(page, kPagePgno) != pgno) {
      return Error::invalid(
          fmt::format("Packages: page {} says it is page {}", pgno, u32(page, kPagePgno)));
    }
    auto type = static_cast<uint8_t>(page[kPageType]);
    if (type != want_type && type != alt_type) {
      return Error::invalid(fmt::format("Packages: page {} has type {}", pgno, type));
    }
    return page;
  }

  // Follows an overflow chain holding one item of `total` bytes.
  Result<std::string> read_overflow(uint32_t pgno, uint32_t total) {
    if (total == 0 || total > bytes_.size()) {
      return Error::invalid(fmt::format("Packages: overflow item of {} bytes", total));
    }
    std::string out;
    out.reserve(total);
    while (out.size() < total) {
      if (pgno == 0) return Error::invalid("Packages: overflow chain ends early");
      BW_ASSIGN_OR_RETURN(auto page, take_page(pgno, kPageOverflow, kPageOverflow));
      uint16_t len = u16(page, kPageHfOffset);
      if (len == 0 || kPageHeaderBytes + len > page_size_ || len > total - out.size()) {
        return Error::invalid(fmt::format("Packages: overflow page {} holds {} bytes", pgno, len));
      }
      out.append(page.substr(kPageHeaderBytes, len));
      pgno = u32(page, kPageNextPgno);
    }
    return out;
  }

 private:
  std::string_view bytes_;
  bool swapped_;
  uint32_t page_size_;
  uint32_t pages_in_file_;
  std::vector<bool> visited_;
};

// One item on a hash page: inline bytes or, for large ones, an overflow chain.
Result<std::string_view> item_bytes(BdbFile& f, std::string_view item, std::string& storage) {
  switch (static_cast<uint8_t>(item[0])) {
    case kItemKeyData:
      return item.substr(1);
    case kItemOffPage: {
      if (item.size() != kOffPageBytes) {
        return Error::invalid(fmt::format("Packages: off-page item of {} bytes", item.size()));
      }
      BW_ASSIGN_OR_RETURN(storage, f.read_overflow(f.u32(item, 4), f.u32(item, 8)));
      return std::string_view(storage);
    }
    default:
      // Duplicates (H_DUPLICATE, H_OFFDUP) and external blobs never occur in rpm's Packages.
      return Error::unsupported(fmt::format("Packages: hash item type {}",
                                            static_cast<int>(static_cast<uint8_t>(item[0]))));
  }
}

// The key/data pairs of one hash page. Items are packed from the end of the page downwards in
// index order, so item i ends where item i-1 begins (the first ends at the page end).
Result<void> visit_page(BdbFile& f, uint32_t pgno, std::string_view page,
                        const RpmBlobVisitor& visit) {
  const uint32_t entries = f.u16(page, kPageEntries);
  const size_t index_end = kPageHeaderBytes + size_t{entries} * 2;
  if (entries % 2 != 0 || index_end > f.page_size()) {
    return Error::invalid(fmt::format("Packages: page {} has {} entries", pgno, entries));
  }
  size_t end = f.page_size();
  std::string key_storage;
  std::string data_storage;
  for (uint32_t i = 0; i < entries; i += 2) {
    const size_t key_off = f.u16(page, kPageHeaderBytes + size_t{i} * 2);
    const size_t data_off = f.u16(page, kPageHeaderBytes + size_t{i} * 2 + 2);
    if (!(index_end <= data_off && data_off < key_off && key_off < end)) {
      return Error::invalid(fmt::format("Packages: page {} entry {}: bad item offsets", pgno, i));
    }
    BW_ASSIGN_OR_RETURN(auto key, item_bytes(f, page.substr(key_off, end - key_off), key_storage));
    BW_ASSIGN_OR_RETURN(auto data,
                        item_bytes(f, page.substr(data_off, key_off - data_off), data_storage));
    end = data_off;
    if (key.size() != 4) {
      return Error::invalid(fmt::format("Packages: page {}: key of {} bytes", pgno, key.size()));
    }
    // rpm writes the instance number in the host's byte order, which is the file's byte order.
    const uint32_t instance = f.u32(key, 0);
    if (instance == 0) continue;  // rpm's record of the next free instance number, not a header
    auto r = visit(instance, data);
    if (!r.ok()) return std::move(r).error().with_context(fmt::format("header {}", instance));
  }
  return core::ok();
}

}  // namespace

Result<void> read_rpm_bdb(std::string_view db, const RpmBlobVisitor& visit) {
  if (db.size() < kMetaBytes) return Error::invalid("Packages: too small for a Berkeley DB file");
  auto raw32 = [&db](size_t off, bool swapped) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      auto b = static_cast<uint32_t>(static_cast<unsigned char>(db[off + i]));
      v |= swapped ? b << (8 * (3 - i)) : b << (8 * i);
    }
    return v;
  };
  // The magic number is written in the creating host's byte order.
  bool swapped = false;
  if (raw32(kMetaMagic, false) == kHashMagic) {
    swapped = false;
  } else if (raw32(kMetaMagic, true) == kHashMagic) {
    swapped = true;
  } else if (raw32(kMetaMagic, false) == kBtreeMagic || raw32(kMetaMagic, true) == kBtreeMagic) {
    return Error::unsupported("Packages: a Berkeley DB btree, not the hash database rpm writes");
  } else {
    return Error::invalid("Packages: not a Berkeley DB hash database");
  }
  const uint32_t version = raw32(kMetaVersion, swapped);
  if (version < kMinHashVersion || version > kMaxHashVersion) {
    return Error::unsupported(fmt::format("Packages: Berkeley DB hash version {}", version));
  }
  const uint32_t page_size = raw32(kMetaPageSize, swapped);
  if (page_size < kMinPageSize || page_size > kMaxPageSize || !std::has_single_bit(page_size)) {
    return Error::invalid(fmt::format("Packages: page size {}", page_size));
  }
  if (db[kMetaEncryptAlg] != 0) return Error::unsupported("Packages: encrypted database");
  if ((static_cast<uint8_t>(db[kMetaFlags]) & kMetaFlagChecksum) != 0) {
    // Checksums move the item index on every page; rpm never enables them for its database.
    return Error::unsupported("Packages: checksummed database");
  }
  if (static_cast<uint8_t>(db[kMetaType]) != kPageHashMeta) {
    return Error::invalid("Packages: first page is not a hash metadata page");
  }

  BdbFile f(db, swapped, page_size);
  const uint32_t last_pgno = raw32(kMetaLastPgno, swapped);
  if (uint64_t{last_pgno} + 1 > f.pages_in_file()) {
    return Error::invalid(fmt::format("Packages: truncated ({} of {} pages)", f.pages_in_file(),
                                      uint64_t{last_pgno} + 1));
  }
  const uint32_t max_bucket = raw32(kMetaMaxBucket, swapped);
  // Every bucket has its own page, so more buckets than pages is corruption; this also bounds
  // the bucket loop by the file size.
  if (max_bucket >= f.pages_in_file()) {
    return Error::invalid(fmt::format("Packages: {} buckets in {} pages", uint64_t{max_bucket} + 1,
                                      f.pages_in_file()));
  }
  for (uint32_t bucket = 0; bucket <= max_bucket; ++bucket) {
    // Buckets are allocated in doublings; spares[k] is the page offset of the doubling that
    // holds buckets with k significant bits.
    const auto doubling = static_cast<size_t>(std::bit_width(bucket));
    const uint64_t first = uint64_t{bucket} + raw32(kMetaSpares + doubling * 4, swapped);
    if (first >= f.pages_in_file()) {
      return Error::invalid(fmt::format("Packages: bucket {} maps to page {}", bucket, first));
    }
    auto pgno = static_cast<uint32_t>(first);
    while (pgno != 0) {
      BW_ASSIGN_OR_RETURN(auto page, f.take_page(pgno, kPageHash, kPageHashUnsorted));
      BW_TRY(visit_page(f, pgno, page, visit));
      pgno = f.u32(page, kPageNextPgno);
    }
  }
  return core::ok();
}

}  // namespace bulwark::catalog
