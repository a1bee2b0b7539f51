#include "vulndb/build.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "core/log.hpp"
#include "core/text.hpp"
#include "vulndb/feed.hpp"

namespace bulwark::vulndb {

namespace {

bool ends_with(std::string_view s, std::string_view suf) {
  return s.size() >= suf.size() && s.substr(s.size() - suf.size()) == suf;
}
bool has_segment(std::string_view path, std::string_view seg) {
  // seg like "vuln/npm/": at the start or after a '/'
  if (path.rfind(seg, 0) == 0) return true;
  const std::string needle = "/" + std::string(seg);
  return path.find(needle) != std::string_view::npos;
}
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
std::string base_name(std::string_view p) {
  const size_t slash = p.rfind('/');
  return std::string(slash == std::string_view::npos ? p : p.substr(slash + 1));
}
std::string strip_compression(std::string name) {
  for (auto suf : {".bz2", ".gz", ".xz", ".zst"})
    if (ends_with(name, suf)) return name.substr(0, name.size() - std::string_view(suf).size());
  return name;
}

}  // namespace

Classified classify_feed_file(std::string_view path, std::string_view head) {
  const std::string base = strip_compression(base_name(path));
  const std::string lbase = lower(base);
  // OVAL by its published file names.
  if (lbase.rfind("oval-definitions-", 0) == 0 && ends_with(lbase, ".xml"))
    return {FeedKind::kDebianOval, "debian-oval", base.substr(17, base.size() - 17 - 4), {}};
  if (lbase.rfind("com.ubuntu.", 0) == 0 && ends_with(lbase, ".usn.oval.xml"))
    return {FeedKind::kUbuntuOval, "ubuntu-oval", base.substr(11, base.size() - 11 - 13), {}};
  if (ends_with(path, "data/DSA/list")) return {FeedKind::kDsaList, "debian-dsa", {}, {}};
  if (ends_with(path, "data/DLA/list")) return {FeedKind::kDsaList, "debian-dla", {}, {}};
  if (ends_with(path, "data/DTSA/list"))
    return {FeedKind::kSkip, {}, {}, "DTSA list (testing-security, retired 2011)"};
  if (ends_with(lbase, ".yml") || ends_with(lbase, ".yaml")) {
    if (has_segment(path, "gems/")) return {FeedKind::kRubysec, "rubysec", {}, {}};
    if (has_segment(path, "rubies/"))
      return {FeedKind::kSkip, {}, {}, "ruby interpreter advisory (not a gem)"};
    if (has_segment(path, "vulns/")) {
      const std::string prefix = lower(base.substr(0, base.find('-')));
      return {FeedKind::kOsvYaml, "osv-" + prefix, {}, {}};
    }
    return {};
  }
  if (ends_with(lbase, ".csv")) {
    if (head.rfind("#model_version", 0) == 0 || head.rfind("cve,epss", 0) == 0)
      return {FeedKind::kEpss, "epss", {}, {}};
    return {};
  }
  if (!ends_with(lbase, ".json")) return {};
  if (has_segment(path, "vuln/npm/")) {
    if (lbase == "index.json") return {};
    return {FeedKind::kNodejsNpm, "nodejs-security-wg", {}, {}};
  }
  if (has_segment(path, "vuln/core/") || has_segment(path, "vuln/deps/"))
    return {FeedKind::kSkip, {}, {}, "Node.js core/deps advisory (not an npm package)"};
  if (lbase == "index.json" || lbase == "config.json" || lbase == "package.json") return {};
  if (lbase.find("security-tracker") != std::string::npos)
    return {FeedKind::kDebianTracker, "debian-tracker", {}, {}};
  if (head.find("\"distroversion\"") != std::string_view::npos)
    return {FeedKind::kAlpineSecdb, "alpine-secdb", {}, {}};
  if (head.find("\"catalogVersion\"") != std::string_view::npos ||
      lbase.find("known_exploited") != std::string::npos)
    return {FeedKind::kKev, "cisa-kev", {}, {}};
  if (head.find("\"releases\"") != std::string_view::npos &&
      head.find("\"affected\"") == std::string_view::npos)
    return {FeedKind::kDebianTracker, "debian-tracker", {}, {}};
  if (head.find("\"id\"") != std::string_view::npos &&
      (head.find("\"affected\"") != std::string_view::npos ||
       head.find("\"modified\"") != std::string_view::npos ||
       head.find("\"schema_version\"") != std::string_view::npos)) {
    const std::string prefix = lower(base.substr(0, base.find('-')));
    return {FeedKind::kOsvJson, "osv-" + prefix, {}, {}};
  }
  return {};
}

bool PackageFilter::keeps(const Affected& a) const {
  return any_release.count({a.ecosystem, a.package}) != 0 ||
         per_release.count({a.ecosystem, a.release, a.package}) != 0;
}

core::Result<PackageFilter> PackageFilter::parse(std::string_view text, std::string_view where) {
  PackageFilter f;
  size_t line_no = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = core::trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    const size_t sp = line.find(' ');
    if (sp == std::string_view::npos)
      return core::Error::invalid(std::string(where) + ":" + std::to_string(line_no) +
                                  ": expected \"Ecosystem[:release] package\"");
    std::string eco(line.substr(0, sp));
    const std::string_view name = core::trim(line.substr(sp + 1));
    if (const size_t colon = eco.find(':'); colon != std::string::npos) {
      const std::string e = canonical_ecosystem(eco.substr(0, colon));
      f.per_release.insert({e, eco.substr(colon + 1), normalize_package(e, name)});
    } else {
      const std::string e = canonical_ecosystem(eco);
      f.any_release.insert({e, normalize_package(e, name)});
    }
  }
  return f;
}

std::string now_rfc3339() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {

struct SourceAccum {
  SourceInfo info;
  ImportStats stats;
};

// Forwards to the real sink, tracking each source's newest date and applying the filter.
class TrackingSink final : public AdvisorySink {
 public:
  TrackingSink(AdvisorySink& inner, const PackageFilter* filter) : inner_(inner), filter_(filter) {}
  SourceAccum* current = nullptr;
  std::set<std::string> kept_cves;
  std::vector<KevEntry> held_kev;
  std::vector<EpssEntry> held_epss;

  void add(Advisory a) override {
    if (filter_ != nullptr) {
      std::erase_if(a.affected, [&](const Affected& x) { return !filter_->keeps(x); });
      if (a.affected.empty()) {
        ++dropped;
        return;
      }
      kept_cves.insert(a.id);
      for (const auto& al : a.aliases) kept_cves.insert(al);
    }
    if (current != nullptr) {
      for (const auto* d : {&a.modified, &a.published})
        if (d->size() >= 10 && d->rfind("0001-", 0) != 0 && *d > current->info.date)
          current->info.date = *d;
    }
    inner_.add(std::move(a));
  }
  void add_kev(const KevEntry& e) override {
    if (filter_ != nullptr)
      held_kev.push_back(e);
    else
      inner_.add_kev(e);
    if (current != nullptr && e.date_added > current->info.date) current->info.date = e.date_added;
  }
  void add_epss(const EpssEntry& e) override {
    if (filter_ != nullptr)
      held_epss.push_back(e);
    else
      inner_.add_epss(e);
  }
  void note(std::string_view k, std::string_view v) override {
    inner_.note(k, v);
    if (current != nullptr && (k == "epss_score_date" || k == "kev_date_released") &&
        std::string(v) > current->info.date)
      current->info.date = std::string(v);
  }
  // With a filter, KEV/EPSS are kept only for CVEs of kept advisories (they may come first).
  void flush_held() {
    for (const auto& e : held_kev)
      if (kept_cves.count(e.cve) != 0) inner_.add_kev(e);
    for (const auto& e : held_epss)
      if (kept_cves.count(e.cve) != 0) inner_.add_epss(e);
  }
  uint64_t dropped = 0;

 private:
  AdvisorySink& inner_;
  const PackageFilter* filter_;
};

class EntryInput final : public OvalInput {
 public:
  explicit EntryInput(FeedEntry& e) : e_(e) {}
  int read(char* buf, int len) override {
    auto n = e_.read(buf, static_cast<size_t>(len));
    if (!n.ok()) {
      error = n.error().message();
      return -1;
    }
    total += *n;
    if (total > kMaxXmlBytes) {
      error = e_.path() + ": OVAL document larger than 4 GiB";
      return -1;
    }
    return static_cast<int>(*n);
  }
  std::string error;
  uint64_t total = 0;
  static constexpr uint64_t kMaxXmlBytes = 4ULL << 30;

 private:
  FeedEntry& e_;
};

core::Result<BuildReport> import_all(const std::vector<std::string>& inputs, AdvisorySink& out,
                                     const PackageFilter* filter, uint64_t max_entry_bytes) {
  TrackingSink sink(out, filter);
  std::map<std::string, SourceAccum> sources;
  for (const auto& input : inputs) {
    uint64_t recognised = 0;
    auto visit = [&](FeedEntry& entry) -> core::Result<void> {
      const std::string& path = entry.path();
      // Peek for content sniffing only when the path alone is ambiguous.
      std::string head;
      const bool needs_head = ends_with(path, ".json") || ends_with(path, ".csv");
      if (needs_head) {
        head.resize(4096);
        size_t got = 0;
        while (got < head.size()) {
          BW_ASSIGN_OR_RETURN(size_t n, entry.read(head.data() + got, head.size() - got));
          if (n == 0) break;
          got += n;
        }
        head.resize(got);
      }
      const Classified c = classify_feed_file(path, head);
      if (c.kind == FeedKind::kSkip) {
        if (!c.reason.empty()) sources["skipped"].stats.skip(c.reason);
        return core::ok();
      }
      ++recognised;
      auto& acc = sources[c.source];
      if (acc.info.name.empty()) {
        acc.info.name = c.source;
        acc.info.origin = input;
      } else if (acc.info.origin.find(input) == std::string::npos) {
        acc.info.origin += ", " + input;
      }
      sink.current = &acc;
      const std::string where = input + ": " + path;
      if (c.kind == FeedKind::kDebianOval || c.kind == FeedKind::kUbuntuOval) {
        acc.info.kind = c.kind == FeedKind::kDebianOval ? "debian-oval" : "ubuntu-oval";
        const auto flavor =
            c.kind == FeedKind::kDebianOval ? OvalFlavor::kDebian : OvalFlavor::kUbuntu;
        auto run = [&](FeedEntry& e) -> core::Result<void> {
          EntryInput in(e);
          import_oval(where, in, flavor, c.release, sink, acc.stats);
          if (!in.error.empty()) acc.stats.errors.push_back(in.error);
          return core::ok();
        };
        if (path != strip_compression(path)) {
          // Compressed inside the archive: hold the compressed bytes, stream the XML.
          BW_ASSIGN_OR_RETURN(auto packed, entry.read_all(max_entry_bytes));
          auto r = decompress_stream(where, packed, run);
          if (!r.ok()) acc.stats.fail(r.error().message());
          return core::ok();
        }
        return run(entry);
      }
      auto bytes = entry.read_all(max_entry_bytes);
      if (!bytes.ok()) {
        acc.stats.fail(bytes.error().message());
        return core::ok();
      }
      std::string text = head + *bytes;
      switch (c.kind) {
        case FeedKind::kOsvJson:
          acc.info.kind = "osv";
          import_osv_json(where, text, c.source, sink, acc.stats);
          break;
        case FeedKind::kOsvYaml:
          acc.info.kind = "osv";
          import_osv_yaml(where, text, c.source, sink, acc.stats);
          break;
        case FeedKind::kRubysec:
          acc.info.kind = "rubysec";
          import_rubysec(where, text, sink, acc.stats);
          break;
        case FeedKind::kNodejsNpm:
          acc.info.kind = "nodejs-security-wg";
          import_nodejs_npm(where, text, sink, acc.stats);
          break;
        case FeedKind::kAlpineSecdb:
          acc.info.kind = "alpine-secdb";
          import_alpine_secdb(where, text, sink, acc.stats);
          break;
        case FeedKind::kDsaList:
          acc.info.kind = "debian-tracker-list";
          import_dsa_list(where, text, c.source, sink, acc.stats);
          break;
        case FeedKind::kDebianTracker:
          acc.info.kind = "debian-tracker-json";
          import_debian_tracker(where, text, sink, acc.stats);
          break;
        case FeedKind::kKev:
          acc.info.kind = "cisa-kev";
          import_kev(where, text, sink, acc.stats);
          break;
        case FeedKind::kEpss:
          acc.info.kind = "epss";
          import_epss(where, text, sink, acc.stats);
          break;
        default:
          break;
      }
      return core::ok();
    };
    BW_TRY(walk_feed(input, visit));
    if (recognised == 0)
      return core::Error::invalid(input + ": no known advisory feed found (see docs/vulndb.md)");
  }
  sink.flush_held();
  BuildReport report;
  for (auto& [name, acc] : sources) {
    if (name == "skipped") continue;
    nlohmann::json notes = nlohmann::json::object();
    if (acc.stats.git_ranges_ignored != 0)
      notes["git_ranges_ignored"] = acc.stats.git_ranges_ignored;
    if (acc.stats.informational != 0) notes["informational"] = acc.stats.informational;
    if (acc.stats.withdrawn != 0) notes["withdrawn"] = acc.stats.withdrawn;
    for (const auto& [reason, n] : acc.stats.skip_reasons) notes["skipped"][reason] = n;
    if (!acc.stats.errors.empty()) notes["errors"] = acc.stats.errors;
    acc.info.notes = notes.dump();
    acc.info.imported = acc.stats.imported;
    acc.info.failed = acc.stats.failed;
    acc.info.skipped = acc.stats.skipped;
    report.imported += acc.stats.imported;
    report.failed += acc.stats.failed;
    for (const auto& e : acc.stats.errors)
      if (report.errors.size() < ImportStats::kMaxErrors) report.errors.push_back(e);
    report.sources.push_back(acc.info);
  }
  return report;
}

}  // namespace

core::Result<BuildReport> import_feeds(const std::vector<std::string>& inputs, AdvisorySink& sink,
                                       uint64_t max_entry_bytes) {
  return import_all(inputs, sink, nullptr, max_entry_bytes);
}

core::Result<BuildReport> build_db(const BuildOptions& options) {
  if (options.inputs.empty()) return core::Error::invalid("db build: no --from feeds given");
  const std::string tmp = options.out + ".tmp-" + std::to_string(::getpid());
  BW_ASSIGN_OR_RETURN(auto writer, DbWriter::create(tmp));
  auto report = import_all(options.inputs, *writer, options.filter, options.max_entry_bytes);
  if (!report.ok()) {
    writer.reset();
    std::remove(tmp.c_str());
    return std::move(report).error();
  }
  for (const auto& s : report->sources) writer->add_source(s);
  auto done = writer->finish(options.built_at.empty() ? now_rfc3339() : options.built_at);
  if (!done.ok()) {
    std::remove(tmp.c_str());
    return std::move(done).error();
  }
  std::error_code ec;
  std::filesystem::rename(tmp, options.out, ec);
  if (ec) {
    std::remove(tmp.c_str());
    return core::Error::io(options.out + ": " + ec.message());
  }
  return report;
}

}  // namespace bulwark::vulndb
