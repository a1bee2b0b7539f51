#include "core/cpus.hpp"

#include <gtest/gtest.h>
#include <sched.h>

#include <fstream>
#include <random>
#include <thread>

namespace bulwark::core {
namespace {

namespace fs = std::filesystem;

class CgroupTree {
 public:
  CgroupTree() {
    std::random_device rd;
    root_ = fs::temp_directory_path() / ("bulwark-cpus-" + std::to_string(rd()));
    fs::create_directories(root_);
  }
  ~CgroupTree() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  CgroupTree(const CgroupTree&) = delete;
  CgroupTree& operator=(const CgroupTree&) = delete;
  void write(const std::string& rel, const std::string& text) {
    fs::path p = root_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  const fs::path& root() const { return root_; }

 private:
  fs::path root_;
};

TEST(Cpus, CpuMaxLines) {
  EXPECT_EQ(cpus_from_cpu_max("max 100000\n"), std::nullopt);
  EXPECT_EQ(cpus_from_cpu_max("100000 100000\n"), 1U);
  EXPECT_EQ(cpus_from_cpu_max("150000 100000\n"), 2U);  // 1.5 CPUs: two threads
  EXPECT_EQ(cpus_from_cpu_max("50000 100000"), 1U);
  EXPECT_EQ(cpus_from_cpu_max("400000 100000"), 4U);
  for (const char* bad : {"", "max", "100000", "x 100000", "100000 y", "0 100000", "100 0",
                          "-5 100000", "100000 100000 7"}) {
    EXPECT_EQ(cpus_from_cpu_max(bad), std::nullopt) << bad;
  }
}

TEST(Cpus, CfsQuotaFiles) {
  EXPECT_EQ(cpus_from_cfs_quota("-1\n", "100000\n"), std::nullopt);
  EXPECT_EQ(cpus_from_cfs_quota("250000\n", "100000\n"), 3U);
  EXPECT_EQ(cpus_from_cfs_quota("", "100000"), std::nullopt);  // file missing
}

TEST(Cpus, CgroupV2QuotaOfTheGroupOrAnyAncestorBinds) {
  CgroupTree t;
  t.write("kubepods/cpu.max", "300000 100000\n");
  t.write("kubepods/pod1/cpu.max", "max 100000\n");
  t.write("kubepods/pod1/ctr/cpu.max", "max 100000\n");
  EXPECT_EQ(available_cpus(16, t.root(), "0::/kubepods/pod1/ctr\n"), 3U);
  EXPECT_EQ(available_cpus(2, t.root(), "0::/kubepods/pod1/ctr\n"), 2U);  // the mask is lower
  t.write("kubepods/pod1/ctr/cpu.max", "100000 100000\n");
  EXPECT_EQ(available_cpus(16, t.root(), "0::/kubepods/pod1/ctr\n"), 1U);
}

TEST(Cpus, CgroupNamespaceRootAndPathsThatLeaveIt) {
  CgroupTree t;
  t.write("cpu.max", "200000 100000\n");  // a container's own cgroup, seen as the root
  EXPECT_EQ(available_cpus(8, t.root(), "0::/\n"), 2U);
  // Outside the namespace: never read above the root.
  EXPECT_EQ(available_cpus(8, t.root(), "0::/../../system.slice\n"), 2U);
}

TEST(Cpus, CgroupV1CpuController) {
  CgroupTree t;
  t.write("cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "150000\n");
  t.write("cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000\n");
  t.write("cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
  t.write("cpu,cpuacct/cpu.cfs_period_us", "100000\n");
  std::string proc =
      "12:memory:/docker/abc\n"
      "4:cpu,cpuacct:/docker/abc\n"
      "1:name=systemd:/docker/abc\n"
      "0::/docker/abc\n";
  EXPECT_EQ(available_cpus(32, t.root(), proc), 2U);
}

TEST(Cpus, CgroupV1InsideAContainerSeesItsQuotaAtTheMountRoot) {
  // Without a cgroup namespace the path names the host's hierarchy, absent inside.
  CgroupTree t;
  t.write("cpu/cpu.cfs_quota_us", "100000\n");
  t.write("cpu/cpu.cfs_period_us", "100000\n");
  EXPECT_EQ(available_cpus(32, t.root(), "2:cpuacct:/docker/abc\n1:cpu:/docker/abc\n"), 1U);
}

TEST(Cpus, NoCgroupInformationLeavesTheMask) {
  CgroupTree t;
  EXPECT_EQ(available_cpus(6, t.root(), ""), 6U);
  EXPECT_EQ(available_cpus(6, t.root(), "garbage\n0::/none\n"), 6U);
  EXPECT_EQ(available_cpus(0, t.root(), ""), 1U);
}

TEST(Cpus, TheAffinityMaskOfTheCallingThreadCounts) {
  // On a thread of its own, so the test process keeps its mask.
  unsigned seen = 0;
  bool pinned = false;
  std::thread([&] {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(sched_getcpu(), &one);
    pinned = sched_setaffinity(0, sizeof(one), &one) == 0;
    seen = available_cpus();
  }).join();
  ASSERT_TRUE(pinned);
  EXPECT_EQ(seen, 1U);
  EXPECT_GE(available_cpus(), 1U);
  EXPECT_LE(available_cpus(), std::max(1U, std::thread::hardware_concurrency()));
}

}  // namespace
}  // namespace bulwark::core
