#include "core/path.hpp"

#include <vector>

namespace bulwark::core {

namespace {

// Whether `path` (no leading or trailing '/') has no empty, "." or ".." component: then it is
// already normal. Most names in layers and package file lists are, and this check saves the
// component vector and the rebuilt string (normalize_image_path runs per tar entry and per line
// of every dpkg .list file, ~200,000 times on the corpus `big` image).
bool already_normal(std::string_view path) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    size_t len = end - start;
    if (len == 0) return false;
    if (path[start] == '.' && (len == 1 || (len == 2 && path[start + 1] == '.'))) return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

std::optional<std::string> normalize_image_path(std::string_view path) {
  std::string_view trimmed = path;
  while (!trimmed.empty() && trimmed.front() == '/') trimmed.remove_prefix(1);
  while (!trimmed.empty() && trimmed.back() == '/') trimmed.remove_suffix(1);
  if (trimmed.empty()) return std::string();
  if (already_normal(trimmed)) return std::string(trimmed);
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    auto part = path.substr(i, j - i);
    if (part == "..") {
      if (parts.empty()) return std::nullopt;
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out;
  for (auto p : parts) {
    if (!out.empty()) out.push_back('/');
    out.append(p);
  }
  return out;
}

std::optional<std::string> resolve_link_target(std::string_view link_path,
                                               std::string_view target) {
  if (!target.empty() && target.front() == '/') return normalize_image_path(target);
  std::string joined(parent_path(link_path));
  joined.push_back('/');
  joined.append(target);
  // A relative target may climb to the root but not above it: "../../../x" from "a/b" is "x"
  // in a container runtime (it chroots), so clamp at the root for links.
  std::vector<std::string_view> parts;
  std::string_view v(joined);
  size_t i = 0;
  while (i <= v.size()) {
    size_t j = v.find('/', i);
    if (j == std::string_view::npos) j = v.size();
    auto part = v.substr(i, j - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out;
  for (auto p : parts) {
    if (!out.empty()) out.push_back('/');
    out.append(p);
  }
  return out;
}

std::string_view parent_path(std::string_view path) {
  auto pos = path.rfind('/');
  return pos == std::string_view::npos ? std::string_view{} : path.substr(0, pos);
}

std::string_view base_name(std::string_view path) {
  auto pos = path.rfind('/');
  return pos == std::string_view::npos ? path : path.substr(pos + 1);
}

bool is_under(std::string_view path, std::string_view dir) {
  if (dir.empty()) return true;
  return path.size() > dir.size() && path.substr(0, dir.size()) == dir && path[dir.size()] == '/';
}

}  // namespace bulwark::core
