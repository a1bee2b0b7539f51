#include "core/json.hpp"

namespace bulwark::core {

Result<nlohmann::json> parse_json(std::string_view text, std::string_view what) {
  bool too_deep = false;
  auto limit_depth = [&too_deep](int depth, nlohmann::json::parse_event_t /*event*/,
                                 nlohmann::json& /*parsed*/) {
    if (depth > kMaxJsonDepth) too_deep = true;
    return !too_deep;
  };
  try {
    auto j =
        nlohmann::json::parse(text.begin(), text.end(), limit_depth, /*allow_exceptions=*/true);
    if (too_deep) {
      return Error::limit(std::string(what) + ": JSON nested deeper than " +
                          std::to_string(kMaxJsonDepth));
    }
    return j;
  } catch (const nlohmann::json::exception& e) {
    if (too_deep) {
      return Error::limit(std::string(what) + ": JSON nested deeper than " +
                          std::to_string(kMaxJsonDepth));
    }
    std::string msg = e.what();
    // "[json.exception.parse_error.101] parse error at line 1..." -> keep the readable part
    if (auto pos = msg.find("] "); pos != std::string::npos) msg = msg.substr(pos + 2);
    return Error::invalid(std::string(what) + ": malformed JSON: " + msg);
  }
}

std::string json_string(const nlohmann::json& j, std::string_view key, std::string_view def) {
  if (!j.is_object()) return std::string(def);
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::string(def);
  return it->get<std::string>();
}

int64_t json_int(const nlohmann::json& j, std::string_view key, int64_t def) {
  if (!j.is_object()) return def;
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return def;
  return it->get<int64_t>();
}

std::string dump_json(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace bulwark::core
