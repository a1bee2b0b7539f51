#include "core/limits.hpp"

#include <charconv>
#include <limits>

namespace bulwark::core {
namespace {
Limits g_limits;  // written once at start-up, read-only while scanning

constexpr LimitField kFields[] = {
    {"max_total_uncompressed", "uncompressed bytes read from all layers of one image",
     &Limits::max_total_uncompressed},
    {"max_compression_ratio", "uncompressed/compressed ratio of one layer",
     &Limits::max_compression_ratio},
    {"ratio_grace_bytes", "bytes a layer may inflate before its ratio is checked",
     &Limits::ratio_grace_bytes},
    {"max_file_read", "largest file an analyzer reads into memory", &Limits::max_file_read},
    {"max_metadata_bytes", "largest manifest, index or config document",
     &Limits::max_metadata_bytes},
    {"max_entries_per_layer", "tar entries in one layer", &Limits::max_entries_per_layer},
    {"max_index_bytes_per_layer", "memory held by one layer's file index",
     &Limits::max_index_bytes_per_layer},
    {"max_layers", "layers in one image", &Limits::max_layers},
    {"max_path_length", "bytes in one path", &Limits::max_path_length},
    {"max_symlink_hops", "symlinks followed to resolve one path", &Limits::max_symlink_hops},
    {"max_index_depth", "nested image indexes", &Limits::max_index_depth},
    {"max_changelog_bytes", "decompressed bytes of one package changelog",
     &Limits::max_changelog_bytes},
    {"max_changelog_entries", "entries read from one package changelog",
     &Limits::max_changelog_entries},
    {"max_changelog_cves", "CVE mentions kept from one package changelog",
     &Limits::max_changelog_cves},
};

Result<uint64_t> parse_amount(std::string_view text) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr == text.data())
    return Error::invalid("'" + std::string(text) + "' is not a number");
  std::string_view suffix(ptr, static_cast<size_t>(end - ptr));
  unsigned shift = 0;
  if (suffix == "K" || suffix == "k")
    shift = 10;
  else if (suffix == "M")
    shift = 20;
  else if (suffix == "G")
    shift = 30;
  else if (suffix == "T")
    shift = 40;
  else if (!suffix.empty())
    return Error::invalid("'" + std::string(text) + "': unknown suffix (use K, M, G or T)");
  if (shift != 0 && value > (std::numeric_limits<uint64_t>::max() >> shift))
    return Error::invalid("'" + std::string(text) + "' is too large");
  return value << shift;
}

}  // namespace

const Limits& limits() {
  return g_limits;
}
void set_limits(const Limits& l) {
  g_limits = l;
}

std::span<const LimitField> limit_fields() {
  return kFields;
}

Result<void> apply_limit(Limits& l, std::string_view assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string_view::npos)
    return Error::invalid("--limit '" + std::string(assignment) + "': expected NAME=VALUE");
  std::string_view name = assignment.substr(0, eq);
  for (const auto& f : kFields) {
    if (f.name != name) continue;
    auto value = parse_amount(assignment.substr(eq + 1));
    if (!value.ok())
      return Error::invalid("--limit " + std::string(name) + ": " + value.error().message());
    if (*value == 0) return Error::invalid("--limit " + std::string(name) + ": must be > 0");
    return std::visit(
        [&](auto member) -> Result<void> {
          using T = std::remove_reference_t<decltype(l.*member)>;
          if (*value > std::numeric_limits<T>::max())
            return Error::invalid("--limit " + std::string(name) + ": at most " +
                                  std::to_string(std::numeric_limits<T>::max()));
          l.*member = static_cast<T>(*value);
          return ok();
        },
        f.field);
  }
  return Error::invalid("--limit: unknown limit '" + std::string(name) + "'");
}

std::string describe_limits(const Limits& l) {
  std::string out;
  for (const auto& f : kFields) {
    uint64_t v = std::visit([&](auto member) { return static_cast<uint64_t>(l.*member); }, f.field);
    out += "  " + std::string(f.name) + "=" + std::to_string(v) + "  " + std::string(f.help) + "\n";
  }
  return out;
}

}  // namespace bulwark::core
