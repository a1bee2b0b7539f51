// One precompiled matcher for every analyzer's path patterns. Matching an entry costs a few
// hash lookups (exact path, file name for "/name" suffixes, other suffixes per distinct
// length, glob by literal parent dir)
// regardless of how many analyzers are registered; only dir-wildcard globs fall back to
// fnmatch, and there are few of those.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "image/layer_reader.hpp"

namespace bulwark::image {

using AnalyzerMask = uint64_t;  // bit i = analyzer i wants the entry
inline constexpr size_t kMaxAnalyzers = 64;

class PathMatcher {
 public:
  // patterns[i] are analyzer i's patterns.
  explicit PathMatcher(const std::vector<std::vector<PathPattern>>& patterns);
  AnalyzerMask match(std::string_view path) const;

 private:
  struct Glob {
    std::string pattern;
    AnalyzerMask mask;
  };
  // Keys are views into storage_, so matching an entry allocates nothing.
  std::deque<std::string> storage_;
  std::unordered_map<std::string_view, AnalyzerMask> exact_;
  // "/name" suffixes, keyed by the name: one lookup however many analyzers ask for file names.
  std::unordered_map<std::string_view, AnalyzerMask> file_names_;
  std::vector<size_t> suffix_lengths_;
  std::unordered_map<std::string_view, AnalyzerMask> suffixes_;
  std::vector<std::pair<std::string, AnalyzerMask>> prefixes_;
  std::unordered_map<std::string_view, std::vector<Glob>> globs_by_parent_;  // literal parent
  std::vector<Glob> other_globs_;
  AnalyzerMask all_ = 0;  // analyzers that want every file
};

}  // namespace bulwark::image
