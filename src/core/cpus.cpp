#include "core/cpus.hpp"

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "core/text.hpp"

namespace bulwark::core {
namespace {

std::optional<int64_t> parse_int(std::string_view s) {
  s = trim(s);
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<unsigned> cpus_from_quota(int64_t quota, int64_t period) {
  if (quota <= 0 || period <= 0) return std::nullopt;
  int64_t cpus = quota / period + (quota % period != 0 ? 1 : 0);
  return static_cast<unsigned>(std::clamp<int64_t>(cpus, 1, 1 << 20));
}

// Calls f on each piece of s between `sep`s (empty pieces too).
template <typename F>
void for_each_piece(std::string_view s, char sep, F f) {
  for (size_t pos = 0; pos <= s.size();) {
    size_t end = s.find(sep, pos);
    if (end == std::string_view::npos) end = s.size();
    f(s.substr(pos, end - pos));
    pos = end + 1;
  }
}

// A small control file's text (at most `max` bytes); empty when missing or unreadable.
std::string read_small(const std::filesystem::path& p, size_t max = 256) {
  std::ifstream in(p, std::ios::binary);
  std::string out(max, '\0');
  if (!in) return {};
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  out.resize(static_cast<size_t>(in.gcount()));
  return out;
}

// The directories from the process's cgroup up to the hierarchy's root (inclusive). A path
// that would leave the root (a cgroup namespace shows outside cgroups as "/..") is cut to the
// root itself, whose quota is the one that binds inside a container.
std::vector<std::filesystem::path> cgroup_chain(const std::filesystem::path& root,
                                                std::string_view rel) {
  std::vector<std::string_view> parts;
  bool leaves_root = false;
  for_each_piece(rel, '/', [&](std::string_view part) {
    leaves_root = leaves_root || part == "..";
    if (!part.empty() && part != ".") parts.push_back(part);
  });
  if (leaves_root) parts.clear();
  std::vector<std::filesystem::path> chain;
  std::filesystem::path dir = root;
  chain.push_back(dir);
  for (std::string_view part : parts) {
    dir /= std::string(part);
    chain.push_back(dir);
  }
  std::reverse(chain.begin(), chain.end());
  return chain;
}

unsigned affinity_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return static_cast<unsigned>(n);
  }
  // More CPUs than a cpu_set_t holds (EINVAL), or no answer: the online count.
  return std::max(1U, std::thread::hardware_concurrency());
}

}  // namespace

std::optional<unsigned> cpus_from_cpu_max(std::string_view line) {
  line = trim(line);
  size_t space = line.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  std::string_view quota = line.substr(0, space);
  if (quota == "max") return std::nullopt;
  auto q = parse_int(quota);
  auto p = parse_int(line.substr(space + 1));
  if (!q || !p) return std::nullopt;
  return cpus_from_quota(*q, *p);
}

std::optional<unsigned> cpus_from_cfs_quota(std::string_view quota_us, std::string_view period_us) {
  auto q = parse_int(quota_us);
  auto p = parse_int(period_us);
  if (!q || !p) return std::nullopt;
  return cpus_from_quota(*q, *p);
}

unsigned available_cpus(unsigned affinity, const std::filesystem::path& cgroup_root,
                        std::string_view proc_self_cgroup) {
  unsigned cpus = std::max(1U, affinity);
  auto lower = [&](std::optional<unsigned> limit) {
    if (limit) cpus = std::min(cpus, *limit);
  };
  std::error_code ec;
  for_each_piece(proc_self_cgroup, '\n', [&](std::string_view line) {
    // "hierarchy-ID:controller-list:path"; the path may itself contain ':'.
    size_t c1 = line.find(':');
    size_t c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) return;
    std::string_view id = line.substr(0, c1);
    std::string_view controllers = line.substr(c1 + 1, c2 - c1 - 1);
    std::string_view rel = line.substr(c2 + 1);
    if (id == "0" && controllers.empty()) {  // cgroup v2, the unified hierarchy
      for (const auto& dir : cgroup_chain(cgroup_root, rel))
        lower(cpus_from_cpu_max(read_small(dir / "cpu.max")));
      return;
    }
    bool has_cpu = false;  // cgroup v1: the hierarchy with the "cpu" controller
    for_each_piece(controllers, ',', [&](std::string_view c) { has_cpu = has_cpu || c == "cpu"; });
    if (!has_cpu) return;
    for (const char* mount : {"cpu,cpuacct", "cpuacct,cpu", "cpu"}) {
      std::filesystem::path base = cgroup_root / mount;
      if (!std::filesystem::is_directory(base, ec)) continue;
      for (const auto& dir : cgroup_chain(base, rel)) {
        lower(cpus_from_cfs_quota(read_small(dir / "cpu.cfs_quota_us"),
                                  read_small(dir / "cpu.cfs_period_us")));
      }
      break;
    }
  });
  return cpus;
}

unsigned available_cpus() {
  return available_cpus(affinity_cpus(), "/sys/fs/cgroup",
                        read_small("/proc/self/cgroup", size_t{64} << 10));
}

}  // namespace bulwark::core
