// A YAML document read once into a flat, read-only tree, for big machine-written files (lock
// files: pnpm-lock.yaml, Yarn Berry's yarn.lock). libyaml's event parser fills an array of nodes
// and one arena of scalar bytes; yaml-cpp's node graph (shared pointers, a map per mapping) took
// 14x longer on the pnpm-lock.yaml files of the corpus `big` image (bench/RESULTS.md), and that
// parse sat on the critical path of a layer. Files people write by hand (policies, VEX, rules)
// keep yaml-cpp, whose richer API suits them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace bulwark::core {

class YamlDoc;

// A node of a YamlDoc; cheap to copy, valid while the document lives. An alias is resolved to
// the node its anchor names, so a walker that recurses must bound its depth (an alias may
// point at an ancestor).
class YamlNode {
 public:
  YamlNode() = default;  // invalid: what a lookup of an absent key gives
  bool valid() const { return doc_ != nullptr; }
  bool is_scalar() const;
  bool is_null() const;  // a plain "", "~" or "null" scalar, as YAML's core schema reads them
  bool is_mapping() const;
  bool is_sequence() const;
  // The scalar's text ("" for other kinds).
  std::string_view scalar() const;
  // The value of the first entry whose key is the scalar `key`; invalid when absent or when
  // this node is not a mapping.
  YamlNode operator[](std::string_view key) const;
  // The scalar at [key], "" when absent, null or not a scalar.
  std::string_view string_at(std::string_view key) const;

  // Mapping entries (key, value) or sequence items (value only), in document order.
  class Iterator;
  Iterator begin() const;
  Iterator end() const;

 private:
  friend class YamlDoc;
  YamlNode(const YamlDoc* doc, uint32_t index) : doc_(doc), index_(index) {}
  const YamlDoc* doc_ = nullptr;
  uint32_t index_ = 0;
};

class YamlNode::Iterator {
 public:
  struct Entry {
    YamlNode key;  // invalid for sequence items
    YamlNode value;
  };
  Entry operator*() const;
  Iterator& operator++();
  bool operator==(const Iterator& o) const { return index_ == o.index_; }

 private:
  friend class YamlNode;
  Iterator(const YamlDoc* doc, uint32_t index, bool pairs)
      : doc_(doc), index_(index), pairs_(pairs) {}
  const YamlDoc* doc_;
  uint32_t index_;  // kNone at the end
  bool pairs_;
};

class YamlDoc {
 public:
  // The first document of `text`. Errors start with `name`: "NAME: malformed YAML: <problem>
  // at line L, column C", or a limit error for nesting deeper than `max_depth` or more than
  // `max_nodes` nodes.
  static Result<YamlDoc> parse(std::string_view text, std::string_view name, size_t max_depth = 512,
                               size_t max_nodes = 4u << 20);
  // The root node; invalid for an empty document.
  YamlNode root() const;

 private:
  friend class YamlNode;
  friend class YamlNode::Iterator;
  enum class Kind : uint8_t { kScalar, kNullScalar, kMapping, kSequence, kAlias };
  static constexpr uint32_t kNone = UINT32_MAX;
  struct Node {
    Kind kind;
    uint32_t first_child = kNone;  // collections: first child (keys and values alternate)
    uint32_t next = kNone;         // next sibling in the parent collection
    uint32_t offset = 0;           // scalars: bytes in arena_; aliases: target node in offset
    uint32_t size = 0;
  };
  const Node& resolved(uint32_t index) const;  // follows an alias to its target

  std::vector<Node> nodes_;
  std::string arena_;
};

}  // namespace bulwark::core
