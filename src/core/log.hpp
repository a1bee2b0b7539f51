// Diagnostics on stderr. Quiet by default for warnings only; --verbose adds info and debug;
// --log-format json writes one JSON object per line for log collectors.
#pragma once

#include <fmt/format.h>

#include <string_view>

namespace bulwark::core {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };
enum class LogFormat { kText, kJson };

void set_log_level(LogLevel level);
void set_log_format(LogFormat format);
LogLevel log_level();
void log_message(LogLevel level, std::string_view message);

template <typename... Args>
void log_debug(fmt::format_string<Args...> f, Args&&... args) {
  if (log_level() <= LogLevel::kDebug)
    log_message(LogLevel::kDebug, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void log_info(fmt::format_string<Args...> f, Args&&... args) {
  if (log_level() <= LogLevel::kInfo)
    log_message(LogLevel::kInfo, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void log_warn(fmt::format_string<Args...> f, Args&&... args) {
  if (log_level() <= LogLevel::kWarn)
    log_message(LogLevel::kWarn, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace bulwark::core
