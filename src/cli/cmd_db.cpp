// `bulwark db build|info|update`: the offline advisory database (docs/vulndb.md).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/app.hpp"
#include "core/log.hpp"
#include "vulndb/build.hpp"
#include "vulndb/locate.hpp"
#include "vulndb/update.hpp"

namespace bulwark::cli {

namespace {

void print_build_report(const vulndb::BuildReport& r, const std::string& out, double seconds,
                        bool quiet) {
  if (quiet) return;
  std::fprintf(stderr, "%-22s %10s %8s %8s  %s\n", "SOURCE", "IMPORTED", "FAILED", "SKIPPED",
               "NEWEST");
  for (const auto& s : r.sources)
    std::fprintf(stderr, "%-22s %10llu %8llu %8llu  %s\n", s.name.c_str(),
                 static_cast<unsigned long long>(s.imported),
                 static_cast<unsigned long long>(s.failed),
                 static_cast<unsigned long long>(s.skipped), s.date.c_str());
  for (const auto& e : r.errors) core::log_warn("{}", e);
  std::fprintf(stderr, "wrote %s: %llu records, %llu rejected, in %.1f s\n", out.c_str(),
               static_cast<unsigned long long>(r.imported),
               static_cast<unsigned long long>(r.failed), seconds);
}

std::string read_text_file(const std::string& path, std::string* error) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    *error = path + ": cannot read";
    return {};
  }
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace

void add_db_command(CLI::App& app, GlobalOptions& g) {
  auto* db =
      app.add_subcommand("db", "Build, update and inspect the offline vulnerability database");
  db->require_subcommand(1);

  // --- build
  auto* build = db->add_subcommand(
      "build", "Build the database from local feeds (directories or archives as published)");
  auto from = std::make_shared<std::vector<std::string>>();
  auto out = std::make_shared<std::string>();
  auto only = std::make_shared<std::string>();
  auto built_at = std::make_shared<std::string>();
  build
      ->add_option("--from", *from,
                   "Feed: a directory, .tar.zst/.tar.gz/.zip archive, or a single feed file "
                   "(repeatable)")
      ->required();
  build->add_option("--out", *out, "Database file to write")->required();
  build->add_option("--only-packages", *only,
                    "Keep only packages listed in FILE (lines \"Ecosystem[:release] name\")");
  build->add_option("--built-at", *built_at,
                    "Build time to record (RFC 3339 UTC; default now; for reproducible bundles)");
  build->footer(
      "Feeds are recognised by their paths and content: OSV JSON/YAML (Go vulndb, PyPA, RustSec,\n"
      "malicious npm), RubySec, Node.js security-wg, Debian/Ubuntu OVAL, Debian DSA/DLA lists and\n"
      "tracker JSON, Alpine secdb, CISA KEV, EPSS.\n\n"
      "EXAMPLE\n"
      "  bulwark db build --from go-vulndb-osv.tar.zst --from PyPI-all.zip --out vuln.db");
  build->callback([&g, from, out, only, built_at] {
    vulndb::BuildOptions o;
    o.inputs = *from;
    o.out = *out;
    o.built_at = *built_at;
    vulndb::PackageFilter filter;
    if (!only->empty()) {
      std::string err;
      const std::string text = read_text_file(*only, &err);
      if (!err.empty()) {
        g.exit_code = report_error(core::Error::io(err));
        return;
      }
      auto f = vulndb::PackageFilter::parse(text, *only);
      if (!f.ok()) {
        g.exit_code = report_error(f.error());
        return;
      }
      filter = std::move(f).value();
      o.filter = &filter;
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto r = vulndb::build_db(o);
    if (!r.ok()) {
      g.exit_code = report_error(r.error());
      return;
    }
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    print_build_report(*r, *out, secs, g.quiet);
    g.exit_code = kExitOk;
  });

  // --- info
  auto* info = db->add_subcommand(
      "info", "Show the database's schema version, build time, sources and counts");
  auto info_db = std::make_shared<std::string>();
  auto info_json = std::make_shared<bool>(false);
  info->add_option("--db", *info_db, "Database file (default: $BULWARK_DB, then the cache)");
  info->add_flag("--json", *info_json, "Print as JSON");
  info->callback([&g, info_db, info_json] {
    const auto p = vulndb::resolve_db_path(*info_db);
    auto opened = vulndb::VulnDb::open(p.path);
    if (!opened.ok()) {
      g.exit_code = report_error(opened.error());
      return;
    }
    auto i = (*opened)->info();
    if (!i.ok()) {
      g.exit_code = report_error(i.error());
      return;
    }
    std::string text;
    if (*info_json) {
      nlohmann::json j;
      j["path"] = p.path;
      j["schema_version"] = i->schema_version;
      j["built_at"] = i->built_at;
      j["counts"] = {{"advisories", i->advisories},
                     {"affected", i->affected},
                     {"aliases", i->aliases},
                     {"kev", i->kev},
                     {"epss", i->epss}};
      j["sources"] = nlohmann::json::array();
      for (const auto& s : i->sources)
        j["sources"].push_back({{"name", s.name},
                                {"kind", s.kind},
                                {"origin", s.origin},
                                {"date", s.date},
                                {"imported", s.imported},
                                {"failed", s.failed},
                                {"skipped", s.skipped},
                                {"notes", nlohmann::json::parse(s.notes, nullptr, false)}});
      text = j.dump(2) + "\n";
    } else {
      text = "database:       " + p.path +
             "\nschema version: " + std::to_string(i->schema_version) +
             "\nbuilt at:       " + i->built_at +
             "\nadvisories:     " + std::to_string(i->advisories) +
             "\naffected:       " + std::to_string(i->affected) +
             "\naliases:        " + std::to_string(i->aliases) +
             "\nKEV entries:    " + std::to_string(i->kev) +
             "\nEPSS scores:    " + std::to_string(i->epss) + "\nsources:\n";
      for (const auto& s : i->sources) {
        char line[512];
        std::snprintf(line, sizeof line, "  %-22s %8llu imported %6llu failed  newest %s\n",
                      s.name.c_str(), static_cast<unsigned long long>(s.imported),
                      static_cast<unsigned long long>(s.failed), s.date.c_str());
        text += line;
      }
    }
    auto w = write_output("", text);
    g.exit_code = w.ok() ? kExitOk : report_error(w.error());
  });

  // --- update
  auto* update = db->add_subcommand(
      "update", "Download the feeds and rebuild the database in the cache (or --db FILE)");
  auto up_db = std::make_shared<std::string>();
  auto mirror = std::make_shared<std::string>();
  update->add_option("--db", *up_db,
                     "Database file to write (default: $BULWARK_DB, then the cache)");
  update->add_option("--mirror", *mirror,
                     "Base URL of a feed mirror (default: $BULWARK_DB_MIRROR, else the public "
                     "locations)");
  update->callback([&g, up_db, mirror] {
    vulndb::UpdateOptions o;
    o.out = vulndb::resolve_db_path(*up_db).path;
    o.mirror = *mirror;
    if (o.mirror.empty())
      if (const char* m = std::getenv("BULWARK_DB_MIRROR"); m != nullptr) o.mirror = m;
    // Named after the database file, so a user's own directories are never replaced.
    o.download_dir = o.out + ".feeds";
    const auto t0 = std::chrono::steady_clock::now();
    auto r = vulndb::update_db(o);
    if (!r.ok()) {
      g.exit_code = report_error(r.error());
      return;
    }
    for (const auto& m : r->missing) core::log_warn("feed not downloaded: {}", m);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    print_build_report(r->build, o.out, secs, g.quiet);
    g.exit_code = kExitOk;
  });
}

}  // namespace bulwark::cli
