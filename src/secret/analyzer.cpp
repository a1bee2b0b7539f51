#include "secret/analyzer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

namespace bulwark::secret {

namespace {

constexpr size_t kReadChunk = 1 << 20;

const char* kFix =
    "Remove the credential from the image and rotate it: deleting the file in a later layer "
    "does not remove it from the image.";

class SecretSink final : public image::ChunkSink {
 public:
  SecretSink(std::unique_ptr<FileScan> scan, std::string path)
      : scan_(std::move(scan)), path_(std::move(path)) {}
  void write(std::string_view chunk) override { scan_->write(chunk); }
  void finish(image::LayerFacts& out) override {
    for (const auto& m : scan_->finish()) findings::record(out, path_, to_file_finding(m));
  }

 private:
  std::unique_ptr<FileScan> scan_;
  std::string path_;
};

report::Finding config_finding(const SecretMatch& m, const std::string& where) {
  auto f = to_file_finding(m);
  report::Finding out;
  out.kind = "secret";
  out.id = f.id;
  out.title = f.title;
  out.severity = f.severity;
  out.target = where;
  out.evidence = f.evidence;
  out.fix =
      "Pass the credential at run time (a secret mount), not in the image config: it is "
      "readable by anyone who can pull the image.";
  return out;
}

}  // namespace

findings::FileFinding to_file_finding(const SecretMatch& m) {
  findings::FileFinding f;
  f.kind = "secret";
  f.id = m.rule->id;
  f.title = m.rule->title;
  f.severity = m.rule->severity;
  f.line = m.line;
  f.evidence = m.redacted;
  f.fix = kFix;
  return f;
}

std::unique_ptr<image::ChunkSink> SecretAnalyzer::open_sink(const image::Entry& entry) const {
  auto scan = engine_->open("/" + entry.path);
  if (!scan) return nullptr;
  return std::make_unique<SecretSink>(std::move(scan), entry.path);
}

core::Result<void> SecretAnalyzer::analyze(const image::Entry& entry, image::EntryContent& content,
                                           image::LayerFacts& out) const {
  auto sink = open_sink(entry);
  if (!sink) return core::ok();
  std::vector<std::byte> buf(kReadChunk);
  while (true) {
    BW_ASSIGN_OR_RETURN(size_t n, content.read(buf));
    if (n == 0) break;
    sink->write(std::string_view(reinterpret_cast<const char*>(buf.data()), n));
  }
  sink->finish(out);
  return core::ok();
}

std::vector<report::Finding> scan_image_config(const Engine& engine, const image::Image& img) {
  std::vector<report::Finding> out;
  const auto& cfg = img.config;
  if (!cfg.is_object()) return out;
  auto scan_text = [&](const std::string& text, const std::string& where) {
    for (const auto& m : engine.scan(where, text)) out.push_back(config_finding(m, where));
  };
  if (auto c = cfg.find("config"); c != cfg.end() && c->is_object()) {
    if (auto env = c->find("Env"); env != c->end() && env->is_array()) {
      for (size_t i = 0; i < env->size(); ++i) {
        if (!(*env)[i].is_string()) continue;
        // One line per variable, so that env-file rules see `NAME=value` as in a .env file.
        scan_text((*env)[i].get<std::string>() + "\n", "config.Env[" + std::to_string(i) + "]");
      }
    }
  }
  if (auto h = cfg.find("history"); h != cfg.end() && h->is_array()) {
    for (size_t i = 0; i < h->size(); ++i) {
      const auto& e = (*h)[i];
      if (!e.is_object()) continue;
      auto cb = e.find("created_by");
      if (cb == e.end() || !cb->is_string()) continue;
      scan_text(cb->get<std::string>() + "\n", "history[" + std::to_string(i) + "].created_by");
    }
  }
  return out;
}

void SecretAnalyzer::finalize(const image::Image& image, std::vector<report::Finding>& out) const {
  auto v = scan_image_config(*engine_, image);
  out.insert(out.end(), std::make_move_iterator(v.begin()), std::make_move_iterator(v.end()));
}

namespace {

void scan_one(const Engine& engine, const std::string& path, std::vector<report::Finding>& out,
              std::vector<std::string>& warnings, TreeScanStats* stats) {
  auto scan = engine.open(path);
  if (!scan) return;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    warnings.push_back(path + ": " + std::strerror(errno));
    return;
  }
  thread_local std::vector<char> buf(kReadChunk);
  uint64_t total = 0;
  while (true) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      warnings.push_back(path + ": " + std::strerror(errno));
      break;
    }
    if (n == 0) break;
    total += static_cast<uint64_t>(n);
    scan->write(std::string_view(buf.data(), static_cast<size_t>(n)));
  }
  ::close(fd);
  auto matches = scan->finish();
  if (stats != nullptr) {
    ++stats->files;
    stats->bytes += total;
    if (scan->skipped_binary()) ++stats->binary_skipped;
  }
  for (const auto& m : matches) {
    auto f = to_file_finding(m);
    report::Finding r;
    r.kind = "secret";
    r.id = f.id;
    r.title = f.title;
    r.severity = f.severity;
    r.target = path + (f.line > 0 ? ":" + std::to_string(f.line) : "");
    r.evidence = f.evidence;
    r.fix = "Remove the credential from the file (use a secret store) and rotate it.";
    out.push_back(std::move(r));
  }
}

}  // namespace

std::vector<report::Finding> scan_tree(const Engine& engine, const std::string& root,
                                       std::vector<std::string>& warnings, TreeScanStats* stats) {
  namespace fs = std::filesystem;
  std::vector<report::Finding> out;
  std::error_code ec;
  auto st = fs::symlink_status(root, ec);
  if (ec) {
    warnings.push_back(root + ": " + ec.message());
    return out;
  }
  if (fs::is_regular_file(st)) {
    scan_one(engine, root, out, warnings, stats);
    return out;
  }
  std::vector<std::string> files;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  if (ec) {
    warnings.push_back(root + ": " + ec.message());
    return out;
  }
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) {
      warnings.push_back(root + ": " + ec.message());
      break;
    }
    if (it->is_regular_file(ec) && !it->is_symlink(ec)) files.push_back(it->path().string());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) scan_one(engine, f, out, warnings, stats);
  return out;
}

}  // namespace bulwark::secret
