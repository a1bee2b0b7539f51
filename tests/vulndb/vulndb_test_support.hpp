// Helpers for vulndb tests: import a real shared feed into memory, find advisories, and print
// ranges compactly ("i:0 f:1.6.0") so expectations read like the feed.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/json.hpp"
#include "support/test_env.hpp"
#include "vulndb/build.hpp"
#include "vulndb/feed.hpp"
#include "vulndb/importer.hpp"

namespace bulwark::vulndb::testing {

struct LoadedFeed {
  VectorSink sink;
  BuildReport report;
};

inline std::unique_ptr<LoadedFeed> load(const std::filesystem::path& input) {
  auto out = std::make_unique<LoadedFeed>();
  auto r = import_feeds({input.string()}, out->sink);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
  if (r.ok()) out->report = *r;
  return out;
}

inline const SourceInfo* source(const BuildReport& r, std::string_view name) {
  for (const auto& s : r.sources)
    if (s.name == name) return &s;
  return nullptr;
}

inline std::string events_str(const Range& r) {
  std::string out;
  for (const auto& e : r.events) {
    if (!out.empty()) out += ' ';
    switch (e.kind) {
      case EventKind::kIntroduced:
        out += "i:";
        break;
      case EventKind::kFixed:
        out += "f:";
        break;
      case EventKind::kLastAffected:
        out += "l:";
        break;
      case EventKind::kLimit:
        out += "m:";
        break;
    }
    out += e.version;
  }
  return out;
}

// All advisories with this id (distro feeds emit one record per package/release tuple).
inline std::vector<const Advisory*> find_all(const VectorSink& s, std::string_view id) {
  std::vector<const Advisory*> out;
  for (const auto& a : s.advisories)
    if (a.id == id) out.push_back(&a);
  return out;
}

inline const Affected* find_affected(const VectorSink& s, std::string_view id,
                                     std::string_view release, std::string_view package) {
  for (const auto* a : find_all(s, id))
    for (const auto& x : a->affected)
      if (x.release == release && x.package == package) return &x;
  return nullptr;
}

}  // namespace bulwark::vulndb::testing

namespace bulwark::vulndb {
// Parses every vuln/npm/<n>.json of a feed with nlohmann directly (not through the importer).
template <typename Fn>
core::Result<void> walk_feed_for_test(const std::filesystem::path& feed, Fn fn) {
  return walk_feed(feed.string(), [&](FeedEntry& e) -> core::Result<void> {
    const std::string& p = e.path();
    if (p.find("vuln/npm/") == std::string::npos || p.find("index.json") != std::string::npos ||
        p.size() < 5 || p.substr(p.size() - 5) != ".json")
      return core::ok();
    BW_ASSIGN_OR_RETURN(auto text, e.read_all(1 << 24));
    BW_ASSIGN_OR_RETURN(auto j, core::parse_json(text, p));
    fn(j);
    return core::ok();
  });
}
}  // namespace bulwark::vulndb
