#include "core/yaml_doc.hpp"

#include <yaml.h>

#include <unordered_map>

namespace bulwark::core {

namespace {

// libyaml's C objects freed on every path out.
struct ParserGuard {
  yaml_parser_t parser{};
  bool ready = false;
  ~ParserGuard() {
    if (ready) yaml_parser_delete(&parser);
  }
};
struct EventGuard {
  yaml_event_t event{};
  ~EventGuard() { yaml_event_delete(&event); }
};

std::string_view as_view(const yaml_char_t* p, size_t n) {
  return {reinterpret_cast<const char*>(p), n};
}
std::string_view as_view(const yaml_char_t* p) {
  return p == nullptr ? std::string_view{} : std::string_view(reinterpret_cast<const char*>(p));
}

// YAML 1.2 core schema: these plain scalars are null.
bool plain_null(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

}  // namespace

Result<YamlDoc> YamlDoc::parse(std::string_view text, std::string_view name, size_t max_depth,
                               size_t max_nodes) {
  const std::string who(name);
  if (text.size() >= UINT32_MAX) {
    return Error::limit(who + ": YAML text of " + std::to_string(text.size()) +
                        " bytes is too large");
  }
  ParserGuard guard;
  if (yaml_parser_initialize(&guard.parser) == 0) {
    return Error::internal(who + ": cannot initialise the YAML parser (out of memory)");
  }
  guard.ready = true;
  yaml_parser_set_input_string(&guard.parser, reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());

  YamlDoc doc;
  struct Open {
    uint32_t index;
    uint32_t last_child = kNone;
  };
  std::vector<Open> open;
  std::unordered_map<std::string, uint32_t> anchors;

  auto add = [&](Node node, const yaml_char_t* anchor) -> Result<uint32_t> {
    if (doc.nodes_.size() >= max_nodes) {
      return Error::limit(who + ": YAML document has more than " + std::to_string(max_nodes) +
                          " nodes");
    }
    auto index = static_cast<uint32_t>(doc.nodes_.size());
    doc.nodes_.push_back(node);
    if (!open.empty()) {
      Open& parent = open.back();
      if (parent.last_child == kNone) {
        doc.nodes_[parent.index].first_child = index;
      } else {
        doc.nodes_[parent.last_child].next = index;
      }
      parent.last_child = index;
    }
    if (anchor != nullptr) anchors[std::string(as_view(anchor))] = index;
    return index;
  };

  bool done = false;
  while (!done) {
    EventGuard ev;
    if (yaml_parser_parse(&guard.parser, &ev.event) == 0) {
      const auto& p = guard.parser;
      std::string msg = who + ": malformed YAML: ";
      if (p.context != nullptr) msg += std::string(p.context) + ", ";
      msg += p.problem != nullptr ? p.problem : "parse error";
      msg += " at line " + std::to_string(p.problem_mark.line + 1) + ", column " +
             std::to_string(p.problem_mark.column + 1);
      return Error::invalid(msg);
    }
    const auto& e = ev.event;
    switch (e.type) {
      case YAML_SCALAR_EVENT: {
        auto value = as_view(e.data.scalar.value, e.data.scalar.length);
        bool null = e.data.scalar.plain_implicit != 0 &&
                    e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && plain_null(value);
        Node n{null ? Kind::kNullScalar : Kind::kScalar};
        n.offset = static_cast<uint32_t>(doc.arena_.size());
        n.size = static_cast<uint32_t>(value.size());
        doc.arena_.append(value);
        BW_TRY(add(n, e.data.scalar.anchor));
        break;
      }
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT: {
        if (open.size() >= max_depth) {
          return Error::limit(who + ": YAML nested deeper than " + std::to_string(max_depth));
        }
        bool mapping = e.type == YAML_MAPPING_START_EVENT;
        const yaml_char_t* anchor =
            mapping ? e.data.mapping_start.anchor : e.data.sequence_start.anchor;
        BW_ASSIGN_OR_RETURN(uint32_t index,
                            add(Node{mapping ? Kind::kMapping : Kind::kSequence}, anchor));
        open.push_back(Open{index});
        break;
      }
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        if (!open.empty()) open.pop_back();
        break;
      case YAML_ALIAS_EVENT: {
        auto it = anchors.find(std::string(as_view(e.data.alias.anchor)));
        if (it == anchors.end()) {
          return Error::invalid(
              who + ": malformed YAML: alias *" + std::string(as_view(e.data.alias.anchor)) +
              " names no anchor before it at line " + std::to_string(e.start_mark.line + 1));
        }
        Node n{Kind::kAlias};
        n.offset = it->second;
        BW_TRY(add(n, nullptr));
        break;
      }
      case YAML_DOCUMENT_END_EVENT:  // only the first document is read
      case YAML_STREAM_END_EVENT:
        done = true;
        break;
      default:
        break;
    }
  }
  return doc;
}

YamlNode YamlDoc::root() const {
  return nodes_.empty() ? YamlNode() : YamlNode(this, 0);
}

const YamlDoc::Node& YamlDoc::resolved(uint32_t index) const {
  const Node& n = nodes_[index];
  // Anchors are never on alias nodes, so one step reaches a scalar or a collection.
  return n.kind == Kind::kAlias ? nodes_[n.offset] : n;
}

bool YamlNode::is_scalar() const {
  return doc_ != nullptr && doc_->resolved(index_).kind == YamlDoc::Kind::kScalar;
}
bool YamlNode::is_null() const {
  return doc_ != nullptr && doc_->resolved(index_).kind == YamlDoc::Kind::kNullScalar;
}
bool YamlNode::is_mapping() const {
  return doc_ != nullptr && doc_->resolved(index_).kind == YamlDoc::Kind::kMapping;
}
bool YamlNode::is_sequence() const {
  return doc_ != nullptr && doc_->resolved(index_).kind == YamlDoc::Kind::kSequence;
}

std::string_view YamlNode::scalar() const {
  if (!is_scalar()) return {};
  const auto& n = doc_->resolved(index_);
  return std::string_view(doc_->arena_).substr(n.offset, n.size);
}

YamlNode YamlNode::operator[](std::string_view key) const {
  if (!is_mapping()) return {};
  for (auto [k, v] : *this) {
    if (k.is_scalar() && k.scalar() == key) return v;
  }
  return {};
}

std::string_view YamlNode::string_at(std::string_view key) const {
  return (*this)[key].scalar();
}

YamlNode::Iterator YamlNode::begin() const {
  if (!is_mapping() && !is_sequence()) return end();
  const auto& n = doc_->resolved(index_);
  return Iterator(doc_, n.first_child, n.kind == YamlDoc::Kind::kMapping);
}

YamlNode::Iterator YamlNode::end() const {
  return Iterator(doc_, YamlDoc::kNone, false);
}

YamlNode::Iterator::Entry YamlNode::Iterator::operator*() const {
  if (!pairs_) return Entry{YamlNode(), YamlNode(doc_, index_)};
  uint32_t value = doc_->nodes_[index_].next;
  return Entry{YamlNode(doc_, index_),
               value == YamlDoc::kNone ? YamlNode() : YamlNode(doc_, value)};
}

YamlNode::Iterator& YamlNode::Iterator::operator++() {
  uint32_t next = doc_->nodes_[index_].next;
  if (pairs_ && next != YamlDoc::kNone) next = doc_->nodes_[next].next;
  index_ = next;
  return *this;
}

}  // namespace bulwark::core
