// Paths inside an image are relative to its root, '/'-separated, without "." or ".." parts
// and without a leading slash ("usr/lib/os-release"). Anything that would climb above the
// root is rejected rather than clamped, so a crafted "../../etc/passwd" never aliases a real file.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace bulwark::core {

// Normalises an archive entry name or link target relative to the root. nullopt when the
// path escapes the root. The empty string is the root itself.
std::optional<std::string> normalize_image_path(std::string_view path);

// Joins a symlink's target with the directory holding the link, then normalises.
std::optional<std::string> resolve_link_target(std::string_view link_path, std::string_view target);

std::string_view parent_path(std::string_view path);         // "a/b/c" -> "a/b", "a" -> ""
std::string_view base_name(std::string_view path);           // "a/b/c" -> "c"
bool is_under(std::string_view path, std::string_view dir);  // dir "" contains everything

}  // namespace bulwark::core
