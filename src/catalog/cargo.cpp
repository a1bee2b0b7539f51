#include "catalog/cargo.hpp"

#include <toml++/toml.h>
#include <zlib.h>

#include <atomic>
#include <set>

#include "catalog/elf_pe.hpp"
#include "catalog/exec_stream.hpp"
#include "core/json.hpp"
#include "core/limits.hpp"
#include "core/log.hpp"
#include "core/purl.hpp"

namespace bulwark::catalog {

using core::Error;
using core::Result;

namespace {

core::Package crate(const std::string& name, const std::string& version) {
  core::Package p;
  p.name = name;
  p.version = version;
  p.ecosystem = "cargo";
  p.purl = core::PackageUrl{"cargo", "", name, version, {}, ""}.to_string();
  return p;
}

// zlib inflate with an output bound (the section is attacker-controlled).
Result<std::string> inflate_bounded(std::string_view in, uint64_t limit) {
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) return Error::internal("zlib: inflateInit failed");
  std::string out;
  char buf[16384];
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(std::min<size_t>(in.size(), UINT32_MAX));
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return Error::invalid(std::string(".dep-v0: zlib: ") + (zs.msg != nullptr   ? zs.msg
                                                              : rc == Z_BUF_ERROR ? "truncated data"
                                                                                  : "bad data"));
    }
    out.append(buf, sizeof(buf) - zs.avail_out);
    if (out.size() > limit) {
      inflateEnd(&zs);
      return Error::limit(".dep-v0: inflates past " + std::to_string(limit) + " bytes");
    }
  }
  inflateEnd(&zs);
  return out;
}

}  // namespace

Result<CargoLockResult> parse_cargo_lock(std::string_view text) {
  toml::table doc;
  try {
    doc = toml::parse(text);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return Error::invalid("not TOML: " + std::string(e.description()) + " at line " +
                          std::to_string(where.line));
  } catch (const std::exception& e) {  // allocation failures inside the parser
    return Error::invalid(std::string("not TOML: ") + e.what());
  }
  CargoLockResult out;
  const auto* node = doc.get("package");
  if (node == nullptr) return out;  // a workspace with nothing locked yet
  const auto* arr = node->as_array();
  if (arr == nullptr) return Error::invalid("`package` is not an array of tables");
  std::set<std::pair<std::string, std::string>> seen;
  size_t index = 0;
  for (const auto& el : *arr) {
    ++index;
    const auto* t = el.as_table();
    const std::string* name = nullptr;
    const std::string* version = nullptr;
    if (t != nullptr) {
      if (const auto* n = t->get_as<std::string>("name")) name = &n->get();
      if (const auto* v = t->get_as<std::string>("version")) version = &v->get();
    }
    if (name == nullptr || version == nullptr || name->empty() || version->empty()) {
      out.warnings.push_back("package #" + std::to_string(index) +
                             " has no string name and version; skipped");
      continue;
    }
    if (seen.emplace(*name, *version).second) out.packages.push_back(crate(*name, *version));
  }
  return out;
}

Result<std::vector<core::Package>> parse_cargo_auditable_json(std::string_view json) {
  BW_ASSIGN_OR_RETURN(auto doc, core::parse_json(json, ".dep-v0"));
  if (!doc.is_object() || !doc.contains("packages") || !doc["packages"].is_array()) {
    return Error::invalid(".dep-v0: no `packages` array");
  }
  std::vector<core::Package> out;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& p : doc["packages"]) {
    auto name = core::json_string(p, "name");
    auto version = core::json_string(p, "version");
    if (name.empty() || version.empty()) continue;
    if (seen.emplace(name, version).second) out.push_back(crate(name, version));
  }
  return out;
}

Result<std::vector<core::Package>> read_cargo_auditable(std::string_view file,
                                                        const KeptRanges* kept) {
  BW_ASSIGN_OR_RETURN(auto x, parse_executable(file));
  // Names not kept while streaming read as empty, and no section is found by name: the
  // unstripped tails where that can happen are described in exec_stream.hpp.
  const auto* s = x.section(".dep-v0");
  if (s == nullptr) return Error::not_found("no .dep-v0 section");
  auto bytes = x.section_bytes(file, *s);
  if (bytes.size() < s->size) return Error::invalid(".dep-v0: section extends past the file");
  if (kept != nullptr && !kept->covers(s->offset, bytes.size())) {
    // cargo-auditable writes it unloaded, after the loaded segments (exec_stream.hpp); this
    // one is loaded, or lies behind more than kTailBytes of symbols or debug information.
    return Error::invalid(
        ".dep-v0: the section lies outside the bytes kept while the file "
        "streamed (a loaded .dep-v0, or one behind more than " +
        std::to_string(kTailBytes) + " bytes of unloaded sections)");
  }
  BW_ASSIGN_OR_RETURN(auto json, inflate_bounded(bytes, core::limits().max_metadata_bytes));
  return parse_cargo_auditable_json(json);
}

std::vector<image::PathPattern> CargoLockCataloger::patterns() const {
  return {image::PathPattern::exact("Cargo.lock"), image::PathPattern::suffix("/Cargo.lock")};
}

Result<void> CargoLockCataloger::analyze(const image::Entry& entry, image::EntryContent& content,
                                         image::LayerFacts& out) const {
  BW_ASSIGN_OR_RETURN(auto text, content.read_all(core::limits().max_file_read));
  BW_ASSIGN_OR_RETURN(auto lock, parse_cargo_lock(text));
  for (auto& w : lock.warnings) out.warnings.push_back(entry.path + ": " + w);
  if (!lock.packages.empty()) out.packages_by_path[entry.path] = std::move(lock.packages);
  return core::ok();
}

std::vector<image::PathPattern> CargoAuditableCataloger::patterns() const {
  return {image::PathPattern::prefix("")};  // narrowed by wants()
}

namespace {

std::atomic<uint64_t> rust_files{0}, rust_seen{0}, rust_kept{0};

class CargoAuditableSink final : public image::ChunkSink {
 public:
  explicit CargoAuditableSink(const image::Entry& entry)
      : path_(entry.path), stream_(entry.size, /*keep_whole_go=*/false) {}
  void write(std::string_view chunk) override { stream_.write(chunk); }
  void finish(image::LayerFacts& out) override {
    auto file = stream_.finish();
    ++rust_files;
    rust_seen += stream_.seen();
    rust_kept += stream_.kept();
    if (!file || !file->ok()) return;  // not an executable, or one go-binary reports on
    auto pkgs = read_cargo_auditable((*file)->bytes, (*file)->kept);
    if (!pkgs.ok()) {
      // Not an executable we can read, or no section: not ours (go-binary reports corrupt ELFs).
      if (pkgs.error().message().starts_with(".dep-v0")) {
        out.warnings.push_back(path_ + ": rust-binary: " + pkgs.error().message());
      }
      return;
    }
    if (!pkgs->empty()) out.packages_by_path[path_] = std::move(*pkgs);
  }

 private:
  std::string path_;
  ExecutableStream stream_;
};

}  // namespace

std::unique_ptr<image::ChunkSink> CargoAuditableCataloger::open_sink(
    const image::Entry& entry) const {
  return std::make_unique<CargoAuditableSink>(entry);
}

Result<void> CargoAuditableCataloger::analyze(const image::Entry& entry,
                                              image::EntryContent& content,
                                              image::LayerFacts& out) const {
  CargoAuditableSink sink(entry);
  return feed_sink(sink, content, out);
}

void CargoAuditableCataloger::finalize(const MergeContext& /*ctx*/,
                                       std::vector<core::Package>& /*packages*/) const {
  uint64_t n = rust_files.exchange(0);
  if (n == 0) return;
  core::log_debug("{}: {} executables streamed, {} bytes, {} bytes kept", name(), n,
                  rust_seen.exchange(0), rust_kept.exchange(0));
}

}  // namespace bulwark::catalog
