#include "core/limits.hpp"

namespace bulwark::core {
namespace {
Limits g_limits;  // written once at start-up, read-only while scanning
}  // namespace

const Limits& limits() {
  return g_limits;
}
void set_limits(const Limits& l) {
  g_limits = l;
}

}  // namespace bulwark::core
