// How many CPUs this process may really use, for sizing its thread pools. The count of online
// CPUs (std::thread::hardware_concurrency) is the wrong answer wherever bulwark usually runs:
// in a CI job or an admission webhook pod limited to 2 CPUs on a 64-core node it would start
// 64 layer readers, each with its pipeline threads and buffers, on 2 CPUs' worth of time.
// Like `nproc` and Go's and the JVM's container-aware defaults, the answer here is the
// affinity mask (taskset, cpusets), lowered by a CPU quota of the process's cgroup or any of
// its ancestors (cgroup v2 cpu.max, cgroup v1 cpu.cfs_quota_us / cpu.cfs_period_us: what
// `docker run --cpus` and a Kubernetes CPU limit set), rounded up.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

namespace bulwark::core {

// The CPUs this thread may run on, within its cgroups' quotas; at least 1. Read afresh on
// every call (a few small files), so call it once per pool, not per task.
unsigned available_cpus();

// The CPUs a cgroup v2 `cpu.max` line allows ("150000 100000" -> 2, rounded up); nullopt for
// "max ..." (no limit) and for a line that does not parse.
std::optional<unsigned> cpus_from_cpu_max(std::string_view line);

// The CPUs a cgroup v1 quota allows (cfs_quota_us, cfs_period_us, as the files hold them);
// nullopt for no quota (-1) and for values that do not parse.
std::optional<unsigned> cpus_from_cfs_quota(std::string_view quota_us, std::string_view period_us);

// available_cpus() with its inputs given: `affinity_cpus` CPUs in the mask, the cgroup
// hierarchy mounted at `cgroup_root` (normally /sys/fs/cgroup), and the process's
// /proc/self/cgroup text. For tests; a quota file that is missing or unreadable is no limit.
unsigned available_cpus(unsigned affinity_cpus, const std::filesystem::path& cgroup_root,
                        std::string_view proc_self_cgroup);

}  // namespace bulwark::core
