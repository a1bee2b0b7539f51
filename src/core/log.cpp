#include "core/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>

namespace bulwark::core {
namespace {
std::atomic<LogLevel> g_level{LogLevel::kWarn};
std::atomic<LogFormat> g_format{LogFormat::kText};
std::mutex g_mutex;  // one line at a time from parallel layer workers

std::string_view level_name(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
    case LogLevel::kOff:
      return "off";
  }
  return "?";
}
}  // namespace

void set_log_level(LogLevel level) {
  g_level = level;
}
void set_log_format(LogFormat format) {
  g_format = format;
}
LogLevel log_level() {
  return g_level;
}

void log_message(LogLevel level, std::string_view message) {
  if (level < g_level) return;
  std::string line;
  if (g_format == LogFormat::kJson) {
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    nlohmann::json j{{"ts_ms", now}, {"level", level_name(level)}, {"msg", message}};
    line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  } else {
    // Messages carry names from images: control characters are escaped so that one message
    // stays one line and cannot drive the terminal.
    std::string safe;
    safe.reserve(message.size());
    for (unsigned char c : message) {
      if (c < 0x20 || c == 0x7f) {
        safe += fmt::format("\\x{:02x}", c);
      } else {
        safe.push_back(static_cast<char>(c));
      }
    }
    line = fmt::format("bulwark: {}: {}\n", level_name(level), safe);
  }
  std::lock_guard lock(g_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace bulwark::core
