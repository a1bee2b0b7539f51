#include "catalog/go_binary.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <span>

#include "catalog/elf_pe.hpp"
#include "catalog/exec_stream.hpp"
#include "core/limits.hpp"
#include "core/log.hpp"
#include "core/purl.hpp"

namespace bulwark::catalog {

using core::Error;
using core::Result;

namespace {

constexpr std::string_view kMagic = "\xff Go buildinf:";
constexpr size_t kHeaderSize = 32;
constexpr size_t kAlign = 16;
// A sane bound on the version and module strings (real ones are a few KiB).
constexpr uint64_t kMaxString = 16ULL << 20;

uint64_t read_uint(std::string_view b, int n, bool big) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) {
    v = (v << 8) | static_cast<uint8_t>(b[static_cast<size_t>(big ? i : n - 1 - i)]);
  }
  return v;
}

// Unsigned LEB128 as Go's encoding/binary writes it.
std::optional<uint64_t> read_uvarint(std::string_view b, size_t& pos) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos >= b.size()) return std::nullopt;
    auto c = static_cast<uint8_t>(b[pos++]);
    v |= static_cast<uint64_t>(c & 0x7f) << shift;
    if ((c & 0x80) == 0) return v;
  }
  return std::nullopt;
}

// Where the header may be: .go.buildinfo when the section table survived, else the writable
// data (the linker puts the header at its start, 16-byte aligned).
std::vector<std::string_view> search_regions(const Executable& x, std::string_view file) {
  std::vector<std::string_view> out;
  if (const auto* s = x.section(".go.buildinfo")) {
    auto b = x.section_bytes(file, *s);
    if (b.size() >= kHeaderSize) return {b};
  }
  for (const auto& seg : x.segments) {
    if (!seg.writable || seg.executable || seg.offset >= file.size()) continue;
    out.push_back(
        file.substr(seg.offset, std::min<uint64_t>(seg.filesz, file.size() - seg.offset)));
  }
  if (out.empty()) {
    for (const auto& s : x.sections) {
      if (s.writable && s.size != 0) out.push_back(x.section_bytes(file, s));
    }
  }
  return out;
}

std::optional<size_t> find_header(std::string_view region) {
  for (size_t pos = region.find(kMagic); pos != std::string_view::npos;
       pos = region.find(kMagic, pos + 1)) {
    if (pos % kAlign == 0) return pos;
  }
  return std::nullopt;
}

// Whether the bytes `v` (a view into `file`) were kept by a streaming reader.
bool was_kept(std::string_view file, const KeptRanges* kept, std::string_view v) {
  if (kept == nullptr) return true;
  return kept->covers(static_cast<uint64_t>(v.data() - file.data()), v.size());
}

Error not_kept() {
  return Error::invalid(
      "Go build info: its strings lie outside the bytes kept while the file streamed (the "
      "pre-1.18 layout, in a binary without a Go build ID)");
}

// A Go string header (data pointer, length) at `addr`, and the bytes it points to.
Result<std::string_view> read_go_string(const Executable& x, std::string_view file,
                                        const KeptRanges* kept, uint64_t addr, int ptr, bool big) {
  auto hdr = x.read_address(file, addr, static_cast<uint64_t>(ptr) * 2);
  if (!hdr) return Error::invalid("Go build info: string header outside the file");
  if (!was_kept(file, kept, *hdr)) return not_kept();
  uint64_t data = read_uint(*hdr, ptr, big);
  uint64_t len = read_uint(hdr->substr(static_cast<size_t>(ptr)), ptr, big);
  if (len > kMaxString) return Error::invalid("Go build info: string length out of range");
  auto bytes = x.read_address(file, data, len);
  if (!bytes) return Error::invalid("Go build info: string data outside the file");
  if (!was_kept(file, kept, *bytes)) return not_kept();
  return *bytes;
}

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> f;
  size_t pos = 0;
  for (;;) {
    auto tab = line.find('\t', pos);
    f.push_back(line.substr(pos, tab == std::string_view::npos ? tab : tab - pos));
    if (tab == std::string_view::npos) break;
    pos = tab + 1;
  }
  return f;
}

// Settings keys and values are Go-quoted when they contain spaces, quotes or '='.
std::string unquote(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::string(s);
  std::string out;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '\\' && i + 2 < s.size()) {
      char c = s[++i];
      out += c == 'n' ? '\n' : c == 't' ? '\t' : c;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string setting(const GoBuildInfo& info, std::string_view key) {
  for (const auto& [k, v] : info.settings) {
    if (k == key) return v;
  }
  return {};
}

// "(devel)" main modules built from a VCS checkout get the pseudo-version Go itself would
// assign (v0.0.0-yyyymmddhhmmss-abcdefabcdef, golang.org/ref/mod#pseudo-versions).
std::string main_version(const GoBuildInfo& info) {
  const std::string& v = info.main->version;
  if (v != "(devel)" && !v.empty()) return v;
  std::string rev = setting(info, "vcs.revision");
  std::string time = setting(info, "vcs.time");  // RFC 3339 UTC: 2023-04-05T06:07:08Z
  std::string digits;
  for (char c : time) {
    if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
  }
  if (rev.size() < 12 || digits.size() < 14) return v;
  return "v0.0.0-" + digits.substr(0, 14) + "-" + rev.substr(0, 12);
}

core::Package go_package(const std::string& path, const std::string& version) {
  core::Package p;
  p.name = path;
  p.version = version;
  p.ecosystem = "golang";
  p.purl = go_purl(path, version);
  return p;
}

}  // namespace

std::string go_purl(const std::string& module_path, const std::string& version) {
  auto slash = module_path.rfind('/');
  core::PackageUrl u{"golang",
                     slash == std::string::npos ? "" : module_path.substr(0, slash),
                     slash == std::string::npos ? module_path : module_path.substr(slash + 1),
                     version,
                     {},
                     ""};
  return u.to_string();
}

GoBuildInfo parse_go_modinfo(std::string_view text) {
  GoBuildInfo info;
  GoModule* last = nullptr;
  size_t pos = 0;
  while (pos < text.size()) {
    auto eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    auto f = split_tabs(text.substr(pos, eol - pos));
    pos = eol + 1;
    auto at = [&](size_t i) { return i < f.size() ? std::string(f[i]) : std::string(); };
    if (f[0] == "path") {
      info.path = at(1);
    } else if (f[0] == "mod" || f[0] == "dep") {
      GoModule m{at(1), at(2), at(3), std::nullopt};
      if (m.path.empty()) continue;
      if (f[0] == "mod") {
        info.main = std::move(m);
        last = &*info.main;
      } else {
        info.deps.push_back(std::move(m));
        last = &info.deps.back();
      }
    } else if (f[0] == "=>") {
      if (last != nullptr) last->replace = std::make_pair(at(1), at(2));
      last = nullptr;
    } else if (f[0] == "build") {
      auto kv = at(1);
      // The key may be quoted and contain '='; find the separator after it.
      size_t sep = std::string::npos;
      if (!kv.empty() && kv.front() == '"') {
        for (size_t i = 1; i < kv.size(); ++i) {
          if (kv[i] == '\\') {
            ++i;
          } else if (kv[i] == '"') {
            sep = kv.find('=', i);
            break;
          }
        }
      } else {
        sep = kv.find('=');
      }
      if (sep == std::string::npos) continue;
      info.settings.emplace_back(unquote(std::string_view(kv).substr(0, sep)),
                                 unquote(std::string_view(kv).substr(sep + 1)));
    }
  }
  return info;
}

Result<GoBuildInfo> read_go_build_info(std::string_view file, const KeptRanges* kept) {
  BW_ASSIGN_OR_RETURN(auto x, parse_executable(file));
  // Section names not kept while streaming read as empty: then nothing is concluded from them.
  bool names_known = kept == nullptr || kept->covers(x.names_offset, x.names_size);
  // An ELF with a section table but none of the sections Go's linker always writes is not a
  // Go program: skip the search (most executables in an image are C programs).
  if (names_known && x.format == Executable::Format::kElf && !x.sections.empty() &&
      x.section(".go.buildinfo") == nullptr && x.section(".gopclntab") == nullptr &&
      x.section(".note.go.buildid") == nullptr && x.section(".data.rel.ro.gopclntab") == nullptr) {
    return Error::not_found("no Go build info");
  }
  std::string_view region;
  size_t at = 0;
  bool found = false;
  for (auto r : search_regions(x, file)) {
    if (auto p = find_header(r)) {
      region = r;
      at = *p;
      found = true;
      break;
    }
  }
  if (!found) {
    const auto* s = x.section(".go.buildinfo");
    if (s != nullptr && x.section_bytes(file, *s).size() < kHeaderSize) {
      return Error::invalid(
          "Go build info: .go.buildinfo lies past the end of the file (truncated?)");
    }
    return Error::not_found("no Go build info");
  }
  if (region.size() - at < kHeaderSize) return Error::invalid("Go build info: truncated header");
  auto hdr = region.substr(at);
  int ptr = static_cast<uint8_t>(hdr[14]);
  auto flags = static_cast<uint8_t>(hdr[15]);
  bool big = (flags & 1) != 0;
  std::string_view version, modinfo;
  if ((flags & 2) != 0) {
    // Go 1.18+: two varint-length-prefixed strings right after the header.
    size_t pos = kHeaderSize;
    for (auto* out : {&version, &modinfo}) {
      auto len = read_uvarint(hdr, pos);
      if (!len || *len > hdr.size() - pos)
        return Error::invalid("Go build info: truncated strings");
      *out = hdr.substr(pos, *len);
      pos += *len;
    }
    if (!was_kept(file, kept, hdr.substr(0, pos))) return not_kept();
  } else {
    if (ptr != 4 && ptr != 8) {
      return Error::invalid("Go build info: pointer size " + std::to_string(ptr));
    }
    if (hdr.size() < 16 + 2 * static_cast<size_t>(ptr)) {
      return Error::invalid("Go build info: truncated header");
    }
    uint64_t vaddr = read_uint(hdr.substr(16), ptr, big);
    uint64_t maddr = read_uint(hdr.substr(16 + static_cast<size_t>(ptr)), ptr, big);
    BW_ASSIGN_OR_RETURN(version, read_go_string(x, file, kept, vaddr, ptr, big));
    BW_ASSIGN_OR_RETURN(modinfo, read_go_string(x, file, kept, maddr, ptr, big));
  }
  // The module text is framed by two 16-byte sentinels (runtime/debug's modinfo markers).
  if (modinfo.size() >= 33 && modinfo[modinfo.size() - 17] == '\n') {
    modinfo = modinfo.substr(16, modinfo.size() - 32);
  }
  if (!version.starts_with("go") && !version.starts_with("devel")) {
    return Error::invalid("Go build info: unreadable Go version");
  }
  auto info = parse_go_modinfo(modinfo);
  info.go_version = std::string(version);
  return info;
}

std::vector<core::Package> go_build_info_packages(const GoBuildInfo& info) {
  std::vector<core::Package> out;
  auto with_metadata = [&](core::Package p, bool main_module, std::string sum) {
    core::GoMetadata m;
    m.main_module = main_module;
    m.go_version = info.go_version;
    m.main_path = info.path;
    m.sum = std::move(sum);
    if (main_module) m.build_settings = info.settings;
    p.metadata = std::move(m);
    out.push_back(std::move(p));
  };
  // "go1.21.0 X:boringcrypto" -> "1.21.0"; development toolchains have no release version.
  std::string v = info.go_version.substr(0, info.go_version.find(' '));
  if (v.starts_with("go") && v.size() > 2)
    with_metadata(go_package("stdlib", v.substr(2)), false, "");
  if (info.main && !info.main->path.empty()) {
    with_metadata(go_package(info.main->path, main_version(info)), true, info.main->sum);
  }
  for (const auto& d : info.deps) {
    bool local =
        d.replace && (d.replace->first.starts_with("./") || d.replace->first.starts_with("../") ||
                      d.replace->first.starts_with("/"));
    if (d.replace && !local && !d.replace->second.empty()) {
      with_metadata(go_package(d.replace->first, d.replace->second), false, d.sum);
    } else if (d.replace) {
      // Replaced by a local directory: the module's code is whatever that directory held.
      with_metadata(go_package(d.path, "(devel)"), false, "");
    } else {
      with_metadata(go_package(d.path, d.version), false, d.sum);
    }
  }
  return out;
}

bool is_candidate_executable(const image::Entry& entry) {
  if (entry.type == image::EntryType::kFile && entry.size < 64) return false;
  if ((entry.mode & 0111) != 0) return true;
  const auto& p = entry.path;
  if (p.size() < 4) return false;
  auto tail = p.substr(p.size() - 4);
  std::transform(tail.begin(), tail.end(), tail.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return tail == ".exe";
}

std::vector<image::PathPattern> GoBinaryCataloger::patterns() const {
  return {image::PathPattern::prefix("")};  // narrowed by wants()
}

namespace {

// What the streaming executable catalogers cost, logged once per SBOM (`--verbose`): the
// reader's per-analyzer numbers cover analyze() calls only.
struct StreamStats {
  std::atomic<uint64_t> files{0}, seen{0}, kept{0}, whole{0};
  void add(const ExecutableStream& s) {
    ++files;
    seen += s.seen();
    kept += s.kept();
    if (s.kept() == s.seen() && s.seen() > kHeadBytes) ++whole;
  }
  void log(std::string_view name) {
    uint64_t n = files.exchange(0);
    if (n == 0) return;
    core::log_debug("{}: {} executables streamed, {} bytes, {} bytes kept ({} kept whole)", name, n,
                    seen.exchange(0), kept.exchange(0), whole.exchange(0));
  }
};

StreamStats go_stats;

class GoBinarySink final : public image::ChunkSink {
 public:
  explicit GoBinarySink(const image::Entry& entry)
      : path_(entry.path), stream_(entry.size, /*keep_whole_go=*/true) {}
  void write(std::string_view chunk) override { stream_.write(chunk); }
  void finish(image::LayerFacts& out) override {
    auto file = stream_.finish();
    go_stats.add(stream_);
    if (!file) return;  // not ELF or PE
    if (!file->ok()) {
      out.warnings.push_back(path_ + ": go-binary: " + file->error().message());
      return;
    }
    auto info = read_go_build_info((*file)->bytes, (*file)->kept);
    if (!info.ok()) {
      auto code = info.error().code();
      if (code == core::ErrorCode::kNotFound || code == core::ErrorCode::kUnsupported) {
        return;  // not a Go binary
      }
      out.warnings.push_back(path_ + ": go-binary: " + info.error().message());
      return;
    }
    auto pkgs = go_build_info_packages(*info);
    if (!pkgs.empty()) out.packages_by_path[path_] = std::move(pkgs);
  }

 private:
  std::string path_;
  ExecutableStream stream_;
};

}  // namespace

Result<void> feed_sink(image::ChunkSink& sink, image::EntryContent& content,
                       image::LayerFacts& out) {
  std::string buf(64 << 10, '\0');
  for (;;) {
    BW_ASSIGN_OR_RETURN(size_t n, content.read(std::as_writable_bytes(std::span(buf))));
    if (n == 0) break;
    sink.write(std::string_view(buf.data(), n));
  }
  sink.finish(out);
  return core::ok();
}

std::unique_ptr<image::ChunkSink> GoBinaryCataloger::open_sink(const image::Entry& entry) const {
  return std::make_unique<GoBinarySink>(entry);
}

Result<void> GoBinaryCataloger::analyze(const image::Entry& entry, image::EntryContent& content,
                                        image::LayerFacts& out) const {
  GoBinarySink sink(entry);
  return feed_sink(sink, content, out);
}

void GoBinaryCataloger::finalize(const MergeContext& /*ctx*/,
                                 std::vector<core::Package>& /*packages*/) const {
  go_stats.log(name());
}

}  // namespace bulwark::catalog
