// Helpers shared by tests: temporary directories, running reference tools, and locating
// ../shared (real advisories, schemas, corpus builder). A test that needs ../shared or a
// reference tool skips with a one-line reason on a user's clone; under CI=true it fails.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>

namespace bulwark::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

bool running_in_ci();

// The shared/ directory beside the checkout (or $BULWARK_SHARED), if present.
std::optional<std::filesystem::path> shared_dir();

// Runs `sh -c command`, capturing stdout (stderr goes to the test log). Returns the exit status.
int run_command(const std::string& command, std::string* out = nullptr);
bool have_command(const std::string& name);

void write_file(const std::filesystem::path& p, std::string_view content);
std::string read_file(const std::filesystem::path& p);

// Waits until files written just now are older than a timestamp tick: the layer cache trusts a
// file's identity only then (see remember_if_settled in layer_reader.cpp), so a test asserting
// a warm-cache hit right after writing its image calls this first.
void let_files_settle();

// Path of the built bulwark binary.
std::string bulwark_binary();

// The corpus built by ../shared/corpus/build.sh (small set), built once per machine into
// $BULWARK_CORPUS_DIR or /var/tmp/bulwark-corpus; nullopt (with *why set) when unavailable.
std::optional<std::filesystem::path> corpus_dir(std::string* why);

}  // namespace bulwark::testing

// Skips the test with `reason`, or fails it under CI=true (CI must run every test).
#define BW_SKIP_OR_FAIL(reason)                         \
  do {                                                  \
    if (::bulwark::testing::running_in_ci()) {          \
      FAIL() << "required under CI=true: " << (reason); \
    }                                                   \
    GTEST_SKIP() << (reason);                           \
  } while (false)

// Declares `var` as the shared/ path or skips/fails the test.
#define BW_REQUIRE_SHARED(var)                                                      \
  auto var##_opt = ::bulwark::testing::shared_dir();                                \
  if (!var##_opt) BW_SKIP_OR_FAIL("../shared not found (a user's clone has none)"); \
  const std::filesystem::path var = *var##_opt

#define BW_REQUIRE_COMMAND(name)               \
  if (!::bulwark::testing::have_command(name)) \
  BW_SKIP_OR_FAIL(std::string(name) +          \
                  " not "                      \
                  "installed")
