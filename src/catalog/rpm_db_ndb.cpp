// Layout facts from rpm's lib/backend/ndb/rpmpkg.c (github.com/rpm-software-management/rpm),
// read, not copied: all integers little-endian; a 32-byte file header ("RpmP", version 0,
// generation, slot page count, next package index); slot pages of 4096 bytes made of 16-byte
// slots ("Slot", package index, block offset, block count; the header takes the first two
// slots); blobs at block offset * 16, framed by a 16-byte head ("BlbS", package index,
// generation, length) and a 12-byte tail (adler32, length, "BlbE").
#include "catalog/rpm_db_ndb.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <vector>

namespace bulwark::catalog {
namespace {

using core::Error;
using core::Result;

constexpr uint32_t kFileMagic = 'R' | 'p' << 8 | 'm' << 16 | 'P' << 24;
constexpr uint32_t kSlotMagic = 'S' | 'l' << 8 | 'o' << 16 | 't' << 24;
constexpr uint32_t kBlobHeadMagic = 'B' | 'l' << 8 | 'b' << 16 | 'S' << 24;
constexpr uint32_t kBlobTailMagic = 'B' | 'l' << 8 | 'b' << 16 | 'E' << 24;
constexpr uint32_t kSupportedVersion = 0;

constexpr size_t kFileHeaderBytes = 32;
constexpr size_t kHeaderVersion = 4;
constexpr size_t kHeaderSlotPages = 12;
constexpr size_t kSlotBytes = 16;
constexpr size_t kBlockBytes = 16;
constexpr size_t kSlotPageBytes = 4096;
constexpr size_t kBlocksPerPage = kSlotPageBytes / kBlockBytes;
constexpr size_t kBlobHeadBytes = 16;
constexpr size_t kBlobTailBytes = 12;

uint32_t le32(std::string_view s, size_t off) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<uint32_t>(static_cast<unsigned char>(s[off + i])) << (8 * i);
  return v;
}

struct Slot {
  uint32_t pkgidx;
  uint32_t blkoff;
  uint32_t blkcnt;
};

Result<std::vector<Slot>> read_slots(std::string_view db) {
  const uint32_t slot_pages = le32(db, kHeaderSlotPages);
  if (slot_pages == 0) return Error::invalid("Packages.db: no slot pages");
  if (uint64_t{slot_pages} * kSlotPageBytes > db.size()) {
    return Error::invalid(
        fmt::format("Packages.db: truncated ({} bytes, {} slot pages)", db.size(), slot_pages));
  }
  const uint64_t file_blocks = db.size() / kBlockBytes;
  const uint64_t first_blob_block = uint64_t{slot_pages} * kBlocksPerPage;
  std::vector<Slot> slots;
  const size_t slot_area = size_t{slot_pages} * kSlotPageBytes;
  for (size_t off = kFileHeaderBytes; off < slot_area; off += kSlotBytes) {
    if (le32(db, off) != kSlotMagic) {
      return Error::invalid(fmt::format("Packages.db: bad slot at offset {}", off));
    }
    Slot s{le32(db, off + 4), le32(db, off + 8), le32(db, off + 12)};
    if (s.blkoff == 0) continue;  // free slot
    if (s.pkgidx == 0 || s.blkcnt == 0 || s.blkoff < first_blob_block ||
        uint64_t{s.blkoff} + s.blkcnt > file_blocks) {
      return Error::invalid(
          fmt::format("Packages.db: slot at offset {} (package {}, blocks {}+{}) "
                      "does not fit the file",
                      off, s.pkgidx, s.blkoff, s.blkcnt));
    }
    slots.push_back(s);
  }
  // rpm lists packages in blob order. Blobs never overlap and a package has one slot; checking
  // both also means no byte of the file is read twice, however the slots are crafted.
  std::sort(slots.begin(), slots.end(),
            [](const Slot& a, const Slot& b) { return a.blkoff < b.blkoff; });
  std::set<uint32_t> seen;
  for (size_t i = 0; i < slots.size(); ++i) {
    if (i > 0 && slots[i].blkoff < uint64_t{slots[i - 1].blkoff} + slots[i - 1].blkcnt) {
      return Error::invalid(fmt::format("Packages.db: blobs of packages {} and {} overlap",
                                        slots[i - 1].pkgidx, slots[i].pkgidx));
    }
    if (!seen.insert(slots[i].pkgidx).second) {
      return Error::invalid(fmt::format("Packages.db: package {} has two slots", slots[i].pkgidx));
    }
  }
  return slots;
}

Result<std::string_view> blob_of(std::string_view db, const Slot& s) {
  auto bad = [&s](std::string_view why) {
    return Error::invalid(fmt::format("Packages.db: package {}: {}", s.pkgidx, why));
  };
  if (size_t{s.blkcnt} * kBlockBytes < kBlobHeadBytes + kBlobTailBytes)
    return bad("blob too short");
  std::string_view area = db.substr(size_t{s.blkoff} * kBlockBytes, size_t{s.blkcnt} * kBlockBytes);
  if (le32(area, 0) != kBlobHeadMagic) return bad("bad blob head");
  if (le32(area, 4) != s.pkgidx) return bad("blob belongs to another package");
  const uint32_t len = le32(area, 12);
  if ((kBlobHeadBytes + uint64_t{len} + kBlobTailBytes + kBlockBytes - 1) / kBlockBytes !=
      s.blkcnt) {
    return bad(fmt::format("blob length {} does not match {} blocks", len, s.blkcnt));
  }
  std::string_view tail = area.substr(area.size() - kBlobTailBytes);
  if (le32(tail, 4) != len || le32(tail, 8) != kBlobTailMagic) return bad("bad blob tail");
  // The tail also holds an adler32 of head, blob and padding. rpm does not check it when it
  // reads a package, so neither do we: a header that rpm would list is listed.
  return area.substr(kBlobHeadBytes, len);
}

}  // namespace

Result<void> read_rpm_ndb(std::string_view db, const RpmBlobVisitor& visit) {
  if (db.size() < kFileHeaderBytes || le32(db, 0) != kFileMagic) {
    return Error::invalid("Packages.db: not an rpm ndb package database");
  }
  if (uint32_t v = le32(db, kHeaderVersion); v != kSupportedVersion) {
    return Error::unsupported(fmt::format("Packages.db: version {}", v));
  }
  if (db.size() % kBlockBytes != 0) {
    return Error::invalid(
        fmt::format("Packages.db: size {} is not a whole number of blocks", db.size()));
  }
  BW_ASSIGN_OR_RETURN(auto slots, read_slots(db));
  for (const Slot& s : slots) {
    BW_ASSIGN_OR_RETURN(auto blob, blob_of(db, s));
    auto r = visit(s.pkgidx, blob);
    if (!r.ok()) return std::move(r).error().with_context(fmt::format("header {}", s.pkgidx));
  }
  return core::ok();
}

}  // namespace bulwark::catalog
