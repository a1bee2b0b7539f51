#include "misconfig/yaml_loader.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstdlib>
#include <sstream>
#include <unordered_map>

#include "core/yaml_text.hpp"

namespace bulwark::misconfig {

namespace {

using core::Error;
using core::Result;

struct Converter {
  const YamlLimits& limits;
  std::string_view name;
  size_t nodes = 0;
  YamlDoc* doc = nullptr;

  static nlohmann::json scalar(const YAML::Node& n) {
    const std::string& s = n.Scalar();
    if (n.Tag() == "!") return s;  // quoted: always a string
    if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
    for (const char* t : {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"}) {
      if (s == t) return true;
    }
    for (const char* f : {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"}) {
      if (s == f) return false;
    }
    int64_t iv = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), iv);
    if (ec == std::errc() && p == s.data() + s.size()) return iv;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
      auto [p2, ec2] = std::from_chars(s.data() + 2, s.data() + s.size(), iv, s[1] == 'x' ? 16 : 8);
      if (ec2 == std::errc() && p2 == s.data() + s.size()) return iv;
    }
    if (s.find_first_of("0123456789") != std::string::npos &&
        s.find_first_not_of("0123456789.eE+-") == std::string::npos) {
      char* end = nullptr;
      double d = std::strtod(s.c_str(), &end);
      if (end == s.c_str() + s.size()) return d;
    }
    return s;
  }

  Result<nlohmann::json> convert(const YAML::Node& n, const std::string& path, int depth) {
    if (++nodes > limits.max_nodes) {
      return Error::limit(std::string(name) + ": document " + std::to_string(doc->index) +
                          ": more than " + std::to_string(limits.max_nodes) +
                          " nodes after alias expansion (YAML bomb?)");
    }
    if (depth > limits.max_depth) {
      return Error::limit(std::string(name) + ": document " + std::to_string(doc->index) +
                          ": nested deeper than " + std::to_string(limits.max_depth) + " levels");
    }
    if (n.Mark().line >= 0) doc->lines.emplace(path, n.Mark().line + 1);
    switch (n.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        return nlohmann::json(nullptr);
      case YAML::NodeType::Scalar:
        return scalar(n);
      case YAML::NodeType::Sequence: {
        auto arr = nlohmann::json::array();
        size_t i = 0;
        for (const auto& child : n) {
          BW_ASSIGN_OR_RETURN(auto v, convert(child, yaml_path_index(path, i++), depth + 1));
          arr.push_back(std::move(v));
        }
        return arr;
      }
      case YAML::NodeType::Map: {
        auto obj = nlohmann::json::object();
        std::vector<nlohmann::json> merges;  // "<<: *anchor" merge keys (YAML 1.1)
        for (const auto& kv : n) {
          std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string("<complex key>");
          if (key == "<<" && kv.first.Tag() != "!") {
            BW_ASSIGN_OR_RETURN(auto m, convert(kv.second, path, depth + 1));
            if (m.is_object()) merges.push_back(std::move(m));
            if (m.is_array()) {
              for (auto& e : m) {
                if (e.is_object()) merges.push_back(std::move(e));
              }
            }
            continue;
          }
          BW_ASSIGN_OR_RETURN(auto v, convert(kv.second, yaml_path_key(path, key), depth + 1));
          obj[key] = std::move(v);
        }
        for (auto& m : merges) {
          for (auto& [k, v] : m.items()) {
            if (!obj.contains(k)) obj[k] = std::move(v);
          }
        }
        return obj;
      }
    }
    return nlohmann::json(nullptr);
  }
};

// Counts the nodes a document stream expands to, aliases included, from parser events and
// without building anything: an anchored collection's size is known when it closes, and each
// alias adds that size. "Billion laughs" streams stop here after reading their text once.
class ExpansionCounter final : public YAML::EventHandler {
 public:
  struct Exceeded {};
  explicit ExpansionCounter(size_t limit) : limit_(limit) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t anchor) override { leaf(anchor); }
  void OnAlias(const YAML::Mark&, YAML::anchor_t anchor) override {
    auto it = sizes_.find(anchor);
    add(it == sizes_.end() ? 1 : it->second);
  }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                const std::string&) override {
    leaf(anchor);
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  void add(size_t n) {
    count_ += n;
    if (count_ > limit_) throw Exceeded{};
  }
  void leaf(YAML::anchor_t anchor) {
    add(1);
    if (anchor != YAML::NullAnchor) sizes_[anchor] = 1;
  }
  void open(YAML::anchor_t anchor) {
    add(1);
    open_.emplace_back(anchor, count_);
  }
  void close() {
    if (open_.empty()) return;
    auto [anchor, start] = open_.back();
    open_.pop_back();
    if (anchor != YAML::NullAnchor) sizes_[anchor] = count_ - start + 1;
  }

  size_t limit_;
  size_t count_ = 0;
  std::vector<std::pair<YAML::anchor_t, size_t>> open_;
  std::unordered_map<YAML::anchor_t, size_t> sizes_;
};

std::string mark_prefix(std::string_view name, const YAML::Mark& mark) {
  std::string s(name);
  if (mark.line >= 0) s += ":" + std::to_string(mark.line + 1);
  return s;
}

Result<void> count_expansion(const std::string& text, std::string_view name,
                             const YamlLimits& limits) {
  std::istringstream in(text);
  ExpansionCounter counter(limits.max_nodes);
  try {
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(counter)) {
    }
  } catch (const ExpansionCounter::Exceeded&) {
    return Error::limit(std::string(name) + ": more than " + std::to_string(limits.max_nodes) +
                        " nodes after alias expansion (YAML bomb?)");
  } catch (const YAML::DeepRecursion& e) {
    return Error::limit(mark_prefix(name, e.mark) + ": nested deeper than the parser allows (" +
                        std::to_string(e.depth()) + " levels)");
  } catch (const YAML::Exception& e) {
    return Error::invalid(mark_prefix(name, e.mark) + ": invalid YAML: " + e.msg);
  } catch (const std::exception& e) {
    return Error::invalid(std::string(name) + ": invalid YAML: " + e.what());
  }
  return core::ok();
}

}  // namespace

std::string yaml_path_key(std::string_view parent, std::string_view key) {
  bool plain = !key.empty() && key.find_first_of("./[]\" ") == std::string_view::npos;
  std::string out(parent);
  if (plain) {
    if (!out.empty()) out += '.';
    out += key;
  } else {
    out += "[\"";
    out += key;
    out += "\"]";
  }
  return out;
}

std::string yaml_path_index(std::string_view parent, size_t i) {
  return std::string(parent) + "[" + std::to_string(i) + "]";
}

int YamlDoc::line_of(std::string path) const {
  while (true) {
    if (auto it = lines.find(path); it != lines.end()) return it->second;
    if (path.empty()) return 0;
    size_t cut = path.find_last_of(".[");
    path = cut == std::string::npos ? std::string() : path.substr(0, cut);
  }
}

Result<std::vector<YamlDoc>> load_yaml(std::string_view text, std::string_view name,
                                       const YamlLimits& limits) {
  BW_TRY(core::check_yaml_text(
      text, name, {.max_bytes = limits.max_bytes, .max_flow_depth = limits.max_depth}));
  std::string copy(text);
  BW_TRY(count_expansion(copy, name, limits));
  std::vector<YAML::Node> nodes;
  try {
    nodes = YAML::LoadAll(copy);
  } catch (const YAML::Exception& e) {
    return Error::invalid(mark_prefix(name, e.mark) + ": invalid YAML: " + e.msg);
  } catch (const std::exception& e) {
    return Error::invalid(std::string(name) + ": invalid YAML: " + e.what());
  }
  if (nodes.size() > limits.max_documents) {
    return Error::limit(std::string(name) + ": more than " + std::to_string(limits.max_documents) +
                        " YAML documents");
  }
  std::vector<YamlDoc> docs;
  Converter conv{limits, name};
  for (size_t i = 0; i < nodes.size(); ++i) {
    YamlDoc d;
    d.index = static_cast<int>(i);
    conv.doc = &d;
    try {
      BW_ASSIGN_OR_RETURN(d.root, conv.convert(nodes[i], "", 0));
    } catch (const YAML::Exception& e) {
      return Error::invalid(std::string(name) + ": document " + std::to_string(i) + ": " + e.msg);
    }
    docs.push_back(std::move(d));
  }
  return docs;
}

}  // namespace bulwark::misconfig
