#include <sys/utsname.h>

#include "image/image.hpp"

namespace bulwark::image {

core::Result<Platform> Platform::parse(std::string_view text) {
  Platform p;
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= text.size()) {
    size_t j = text.find('/', i);
    if (j == std::string_view::npos) j = text.size();
    parts.emplace_back(text.substr(i, j - i));
    i = j + 1;
  }
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty()) {
    return core::Error::invalid("platform '" + std::string(text) + "' is not OS/ARCH[/VARIANT]");
  }
  p.os = parts[0];
  p.architecture = parts[1];
  if (parts.size() == 3) p.variant = parts[2];
  // Normalise as containerd does: arm64's only variant is v8, and it is usually omitted.
  if (p.architecture == "aarch64") p.architecture = "arm64";
  if (p.architecture == "x86_64") p.architecture = "amd64";
  if (p.architecture == "arm64" && p.variant == "v8") p.variant.clear();
  return p;
}

Platform Platform::host() {
  utsname u{};
  std::string machine = uname(&u) == 0 ? u.machine : "x86_64";
  Platform p{"linux", machine, ""};
  if (machine == "x86_64") p.architecture = "amd64";
  if (machine == "aarch64") p.architecture = "arm64";
  if (machine == "armv7l") p = {"linux", "arm", "v7"};
  return p;
}

std::string Platform::str() const {
  std::string s = os + "/" + architecture;
  if (!variant.empty()) s += "/" + variant;
  return s;
}

bool Platform::matches(const Platform& wanted) const {
  std::string arch = architecture == "x86_64"    ? "amd64"
                     : architecture == "aarch64" ? "arm64"
                                                 : architecture;
  std::string var = (arch == "arm64" && variant == "v8") ? "" : variant;
  return os == wanted.os && arch == wanted.architecture &&
         (wanted.variant.empty() || var == wanted.variant);
}

}  // namespace bulwark::image
