#include "image/path_matcher.hpp"

#include <fnmatch.h>

#include <algorithm>

#include "core/path.hpp"

namespace bulwark::image {

PathMatcher::PathMatcher(const std::vector<std::vector<PathPattern>>& patterns) {
  for (size_t i = 0; i < patterns.size() && i < kMaxAnalyzers; ++i) {
    AnalyzerMask bit = AnalyzerMask{1} << i;
    for (const auto& p : patterns[i]) {
      switch (p.kind) {
        case PathPattern::Kind::kExact:
          exact_[storage_.emplace_back(p.text)] |= bit;
          break;
        case PathPattern::Kind::kSuffix:
          if (p.text.size() > 1 && p.text[0] == '/' && p.text.find('/', 1) == std::string::npos) {
            file_names_[storage_.emplace_back(p.text.substr(1))] |= bit;
            break;
          }
          suffixes_[storage_.emplace_back(p.text)] |= bit;
          if (std::find(suffix_lengths_.begin(), suffix_lengths_.end(), p.text.size()) ==
              suffix_lengths_.end()) {
            suffix_lengths_.push_back(p.text.size());
          }
          break;
        case PathPattern::Kind::kPrefix:
          prefixes_.emplace_back(p.text, bit);
          break;
        case PathPattern::Kind::kAll:
          all_ |= bit;
          break;
        case PathPattern::Kind::kGlob: {
          auto parent = core::parent_path(p.text);
          bool literal_parent = parent.find_first_of("*?[") == std::string_view::npos;
          if (literal_parent) {
            globs_by_parent_[storage_.emplace_back(parent)].push_back({p.text, bit});
          } else {
            other_globs_.push_back({p.text, bit});
          }
          break;
        }
      }
    }
  }
}

AnalyzerMask PathMatcher::match(std::string_view path) const {
  AnalyzerMask m = all_;
  if (auto it = exact_.find(path); it != exact_.end()) m |= it->second;
  if (!file_names_.empty()) {
    if (auto slash = path.rfind('/'); slash != std::string_view::npos) {
      if (auto it = file_names_.find(path.substr(slash + 1)); it != file_names_.end()) {
        m |= it->second;
      }
    }
  }
  for (size_t len : suffix_lengths_) {
    if (path.size() < len) continue;
    if (auto it = suffixes_.find(path.substr(path.size() - len)); it != suffixes_.end()) {
      m |= it->second;
    }
  }
  for (const auto& [prefix, bit] : prefixes_) {
    if (path.substr(0, prefix.size()) == prefix) m |= bit;
  }
  if (!globs_by_parent_.empty()) {
    if (auto it = globs_by_parent_.find(core::parent_path(path)); it != globs_by_parent_.end()) {
      for (const auto& g : it->second) {
        if (fnmatch(g.pattern.c_str(), std::string(path).c_str(), FNM_PATHNAME) == 0) m |= g.mask;
      }
    }
  }
  if (!other_globs_.empty()) {
    std::string key(path);  // fnmatch wants a C string
    for (const auto& g : other_globs_) {
      if (fnmatch(g.pattern.c_str(), key.c_str(), FNM_PATHNAME) == 0) m |= g.mask;
    }
  }
  return m;
}

}  // namespace bulwark::image
