// The binary identifier's rules: one line of data each. Version strings were read from the
// real files (Debian 12's packages and the upstream builds) with `grep -aob`:
//   node        "node.js/v20.20.2"                     (process.release / --version banner)
//   python      "\0" "3.11.2" "\0"                     (PY_VERSION, beside the other strings)
//   openjdk     JAVA_VERSION="17.0.15"                 (the JDK's `release` file)
//   busybox     "BusyBox v1.35.0 (Debian ...)"          (the applet banner)
//   redis       "\0" "7.0.15" "\0"                     (REDIS_VERSION; the binary also names
//                                                        the versions commands appeared in,
//                                                        all older, hence the highest wins)
//   nginx       "nginx version: nginx/1.22.1"          (the -v banner)
// No rule for libnode.so: only distribution packages ship node as a shared library, and their
// package manager owns it; the layer reader reads every offered file whole, so offering an
// 80 MB library that is then dropped as OS-owned would cost time for nothing.
#include "catalog/binary_identifier.hpp"

namespace bulwark::catalog {

namespace {
using Pick = BinaryRule::Pick;
// clang-format off
constexpr BinaryRule kRules[] = {
  // package    purl type   file names                           pattern (group 1 = version)                                      pick            version prefix from the file name
  {"node",      "generic",  "node",                              R"(node\.js/v(\d{1,4}\.\d{1,4}\.\d{1,4}))",                       Pick::kFirst},
  {"python",    "generic",  "python[23].* libpython[23].*.so*",  R"(\x00([23]\.\d{1,2}\.\d{1,3}(?:(?:a|b|rc)\d{1,2})?\+?)\x00)",   Pick::kFirst,   R"((?:lib)?python(\d\.\d{1,2}).*)"},
  {"openjdk",   "generic",  "*/release",                         R"re(JAVA_VERSION="(\d[0-9A-Za-z._+-]{0,40})")re",                     Pick::kFirst},
  {"busybox",   "generic",  "busybox",                           R"(BusyBox v(\d{1,4}\.\d{1,4}\.\d{1,4}))",                        Pick::kFirst},
  {"redis",     "generic",  "redis-server",                      R"(\x00(\d{1,2}\.\d{1,2}\.\d{1,3})\x00)",                         Pick::kHighest},
  {"nginx",     "generic",  "nginx",                             R"(nginx version: nginx/(\d{1,4}\.\d{1,4}\.\d{1,4}))",            Pick::kFirst},
};
// clang-format on
}  // namespace

std::span<const BinaryRule> binary_rules() {
  return kRules;
}

}  // namespace bulwark::catalog
