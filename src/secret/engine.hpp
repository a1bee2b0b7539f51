// The secret engine: every rule compiled into ONE Vectorscan database, each file scanned once
// (streaming, in chunks of any size). Vectorscan reports where a rule's match ends; PCRE2 then
// re-scans only a bounded window before that end to find the start and the secret group.
// Entropy thresholds, keyword prefilters and allowlists are applied per candidate.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "secret/rules.hpp"

namespace bulwark::secret {

struct SecretMatch {
  const Rule* rule = nullptr;
  uint64_t line = 0;     // 1-based
  uint64_t offset = 0;   // byte offset of the secret in the file
  std::string redacted;  // the secret with only its first 4 characters kept
  double entropy = 0;
};

// Shannon entropy in bits per byte.
double shannon_entropy(std::string_view s);
// First 4 characters kept, the rest masked ("ghp_********").
std::string redact(std::string_view secret);
// True when the first block of a file looks binary: a NUL byte, or more than 10% of it not
// valid UTF-8. Binary files are skipped by content, whatever their name.
bool looks_binary(std::string_view first_block);
inline constexpr size_t kBinarySniffBytes = 8192;

class Engine;

// One file being scanned. Not thread-safe; one per file.
class FileScan {
 public:
  ~FileScan();
  FileScan(const FileScan&) = delete;
  FileScan& operator=(const FileScan&) = delete;
  void write(std::string_view chunk);
  // Ends the file and returns its findings, in file order.
  std::vector<SecretMatch> finish();
  bool skipped_binary() const { return binary_; }

 private:
  friend class Engine;
  struct Impl;
  explicit FileScan(const Engine& engine, std::string path);
  std::unique_ptr<Impl> impl_;
  bool binary_ = false;
};

class Engine {
 public:
  // Compiles every rule; an error names each rule that does not compile and why.
  // Compiling the Vectorscan database costs seconds for the built-in set, so with a
  // `db_cache_dir` the compiled database is kept there (keyed by the rule set, the Vectorscan
  // version and this CPU's features) and later runs deserialize it in milliseconds.
  static core::Result<std::shared_ptr<const Engine>> compile(RuleSet rules,
                                                             const std::string& db_cache_dir = "");
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // nullptr when a global allowlist excludes the path.
  std::unique_ptr<FileScan> open(std::string_view path) const;
  // Convenience: a whole buffer.
  std::vector<SecretMatch> scan(std::string_view path, std::string_view data) const;
  const RuleSet& rules() const;
  // Stable digest of the rule set (part of the layer cache key).
  const std::string& fingerprint() const;

  struct Impl;

 private:
  friend class FileScan;
  Engine();
  std::unique_ptr<Impl> impl_;
};

}  // namespace bulwark::secret
