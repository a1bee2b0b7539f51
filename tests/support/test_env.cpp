#include "support/test_env.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

namespace bulwark::testing {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "bulwark-test-XXXXXX").string();
  char* made = mkdtemp(tmpl.data());
  if (made == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

bool running_in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

std::optional<std::filesystem::path> shared_dir() {
  if (const char* env = std::getenv("BULWARK_SHARED"); env != nullptr && *env != '\0') {
    if (std::filesystem::is_directory(env)) return std::filesystem::canonical(env);
  }
  auto beside = std::filesystem::path(BULWARK_SOURCE_DIR) / ".." / "shared";
  if (std::filesystem::is_directory(beside)) return std::filesystem::canonical(beside);
  return std::nullopt;
}

int run_command(const std::string& command, std::string* out) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  std::array<char, 65536> buf{};
  size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) {
    if (out != nullptr) out->append(buf.data(), n);
  }
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool have_command(const std::string& name) {
  return run_command("command -v '" + name + "' >/dev/null 2>&1") == 0;
}

void write_file(const std::filesystem::path& p, std::string_view content) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream f(p, std::ios::binary);
  f.write(content.data(), static_cast<std::streamsize>(content.size()));
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string bulwark_binary() {
  return BULWARK_BINARY;
}

std::optional<std::filesystem::path> corpus_dir(std::string* why) {
  const char* env = std::getenv("BULWARK_CORPUS_DIR");
  std::filesystem::path dir = env != nullptr && *env != '\0' ? env : "/var/tmp/bulwark-corpus";
  if (std::filesystem::exists(dir / "MANIFEST.txt")) return dir;
  auto shared = shared_dir();
  if (!shared) {
    *why = "../shared not found, so the corpus cannot be built";
    return std::nullopt;
  }
  if (geteuid() != 0) {
    *why = "building the corpus needs root (mmdebstrap --mode=root)";
    return std::nullopt;
  }
  std::string cmd =
      "bash '" + (*shared / "corpus" / "build.sh").string() + "' '" + dir.string() + "' small >&2";
  if (run_command(cmd) != 0 || !std::filesystem::exists(dir / "MANIFEST.txt")) {
    *why = "corpus/build.sh failed (see the log above)";
    return std::nullopt;
  }
  return dir;
}

void let_files_settle() {
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
}

}  // namespace bulwark::testing
