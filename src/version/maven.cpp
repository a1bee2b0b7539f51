// Maven versions as Maven 3.8's ComparableVersion orders them (maven.apache.org/pom.html#
// Version_Order_Specification): the lower-cased string is split into a tree of items at '.',
// '-' and digit/letter transitions ('-' and transitions open a sub-list, and so does a
// qualifier after other items: ".X1" is read as "-X1"); numbers compare
// numerically; qualifiers order alpha < beta < milestone < rc = cr < snapshot < "" = ga = final =
// release < sp < any other (compared as text); "a1", "b1", "m1" mean alpha/beta/milestone;
// trailing zeros and empty qualifiers are dropped. Ranges as Maven's VersionRange:
// [1.0,2.0) (,1.0] [1.0,) [1.0] and comma-joined unions; a bare version means exactly it
// (Maven would treat it as a soft "recommended" version that every version satisfies).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "version/scheme.hpp"

namespace bulwark::version::maven {
namespace {

constexpr std::string_view kName = "Maven";

struct Item {
  enum Kind { kInt, kStr, kList } kind;
  std::string text;  // digits (no leading zeros) for kInt, qualifier for kStr
  std::vector<Item> list;
  bool is_null() const {
    switch (kind) {
      case kInt:
        return text == "0";
      case kStr:
        return text.empty();
      case kList:
        return list.empty();
    }
    return false;
  }
};

Item int_item(std::string_view digits) {
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  if (digits.empty()) digits = "0";
  return {Item::kInt, std::string(digits), {}};
}

Item str_item(std::string_view s, bool followed_by_digit) {
  std::string v(s);
  if (followed_by_digit && v.size() == 1) {
    if (v == "a")
      v = "alpha";
    else if (v == "b")
      v = "beta";
    else if (v == "m")
      v = "milestone";
  }
  if (v == "ga" || v == "final" || v == "release")
    v = "";
  else if (v == "cr")
    v = "rc";
  return {Item::kStr, std::move(v), {}};
}

Item parse_item(bool digit, std::string_view s) {
  return digit ? int_item(s) : str_item(s, false);
}

constexpr std::string_view kQualifiers[] = {"alpha",    "beta", "milestone", "rc",
                                            "snapshot", "",     "sp"};

std::string comparable_qualifier(const std::string& q) {
  for (size_t i = 0; i < std::size(kQualifiers); ++i) {
    if (kQualifiers[i] == q) return std::to_string(i);
  }
  return std::to_string(std::size(kQualifiers)) + "-" + q;
}

void normalize(std::vector<Item>& list) {
  for (size_t i = list.size(); i-- > 0;) {
    if (list[i].is_null()) {
      list.erase(list.begin() + static_cast<ptrdiff_t>(i));
    } else if (list[i].kind != Item::kList) {
      break;
    }
  }
}

core::Result<Item> parse(std::string_view text) {
  if (text.empty()) return bad_version(kName, text, "empty");
  std::string v;
  v.reserve(text.size());
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return bad_version(kName, text, "whitespace, control or non-ASCII");
    v.push_back(to_lower(c));
  }
  Item root{Item::kList, "", {}};
  // Path of open lists, as indexes from the root (vectors may reallocate).
  std::vector<Item*> stack{&root};
  auto open_sublist = [&]() {
    Item* cur = stack.back();
    cur->list.push_back({Item::kList, "", {}});
    stack.push_back(&cur->list.back());
  };
  bool is_digit_run = false;
  size_t start = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    if (c == '.' || c == '-') {
      if (i == start)
        stack.back()->list.push_back(int_item("0"));
      else
        stack.back()->list.push_back(
            parse_item(is_digit_run, std::string_view(v).substr(start, i - start)));
      start = i + 1;
      if (c == '-') open_sublist();
    } else if (is_digit(c)) {
      if (!is_digit_run && i > start) {
        // ".X1" is treated as "-X1": a qualifier after other items opens a sub-list.
        if (!stack.back()->list.empty()) open_sublist();
        stack.back()->list.push_back(str_item(std::string_view(v).substr(start, i - start), true));
        start = i;
        open_sublist();
      }
      is_digit_run = true;
    } else {
      if (is_digit_run && i > start) {
        stack.back()->list.push_back(
            parse_item(true, std::string_view(v).substr(start, i - start)));
        start = i;
        open_sublist();
      }
      is_digit_run = false;
    }
  }
  if (v.size() > start) {
    if (!is_digit_run && !stack.back()->list.empty()) open_sublist();
    stack.back()->list.push_back(parse_item(is_digit_run, std::string_view(v).substr(start)));
  }
  // Innermost lists first, as Maven pops its stack.
  while (!stack.empty()) {
    normalize(stack.back()->list);
    stack.pop_back();
  }
  return root;
}

int compare_items(const Item& a, const Item* b);

int compare_lists(const std::vector<Item>& a, const std::vector<Item>& b) {
  for (size_t i = 0; i < a.size() || i < b.size(); ++i) {
    const Item* l = i < a.size() ? &a[i] : nullptr;
    const Item* r = i < b.size() ? &b[i] : nullptr;
    int c = 0;
    if (l == nullptr)
      c = r == nullptr ? 0 : -compare_items(*r, nullptr);
    else
      c = compare_items(*l, r);
    if (c != 0) return c;
  }
  return 0;
}

int compare_items(const Item& a, const Item* b) {
  switch (a.kind) {
    case Item::kInt:
      if (b == nullptr) return a.text == "0" ? 0 : 1;
      if (b->kind == Item::kInt) return compare_digits(a.text, b->text);
      return 1;
    case Item::kStr:
      if (b == nullptr) return sign(comparable_qualifier(a.text).compare("5"));
      if (b->kind == Item::kInt) return -1;
      if (b->kind == Item::kStr) {
        return sign(comparable_qualifier(a.text).compare(comparable_qualifier(b->text)));
      }
      return -1;
    case Item::kList:
      if (b == nullptr) {
        for (const Item& i : a.list) {
          if (int c = compare_items(i, nullptr); c != 0) return c;
        }
        return 0;
      }
      if (b->kind == Item::kInt) return -1;
      if (b->kind == Item::kStr) return 1;
      return compare_lists(a.list, b->list);
  }
  return 0;
}

struct Restriction {
  std::optional<Item> lower, upper;
  bool lower_inclusive = false, upper_inclusive = false;
};

int cmp(const Item& a, const Item& b) {
  return compare_items(a, &b);
}

}  // namespace

core::Result<int> compare(std::string_view a, std::string_view b) {
  BW_ASSIGN_OR_RETURN(auto ia, parse(a));
  BW_ASSIGN_OR_RETURN(auto ib, parse(b));
  return sign(cmp(ia, ib));
}

core::Result<bool> satisfies(std::string_view v, std::string_view c) {
  BW_ASSIGN_OR_RETURN(auto ver, parse(trim_space(v)));
  std::string_view s = trim_space(c);
  if (s.empty()) return bad_constraint(kName, c, "empty");
  if (s.front() != '[' && s.front() != '(') {
    auto exact = parse(s);
    if (!exact.ok()) return bad_constraint(kName, c, exact.error().message());
    return cmp(ver, *exact) == 0;
  }
  bool any = false;
  std::optional<Item> previous_upper;
  bool first = true;
  while (!s.empty()) {
    if (s.front() != '[' && s.front() != '(') {
      return bad_constraint(kName, c, "only [ or ( ranges may follow a range");
    }
    size_t close = s.find_first_of("])");
    if (close == std::string_view::npos) return bad_constraint(kName, c, "unbounded range");
    Restriction r;
    r.lower_inclusive = s.front() == '[';
    r.upper_inclusive = s[close] == ']';
    std::string_view body = trim_space(s.substr(1, close - 1));
    auto comma = body.find(',');
    auto version_of = [&](std::string_view t) -> core::Result<Item> {
      auto p = parse(t);
      if (!p.ok()) return bad_constraint(kName, c, p.error().message());
      return p;
    };
    if (comma == std::string_view::npos) {
      if (!r.lower_inclusive || !r.upper_inclusive) {
        return bad_constraint(kName, c, "a single version must be inside []");
      }
      BW_ASSIGN_OR_RETURN(auto one, version_of(body));
      r.lower = one;
      r.upper = std::move(one);
    } else {
      // Like Maven, only the first comma separates the bounds.
      std::string_view lo = trim_space(body.substr(0, comma));
      std::string_view hi = trim_space(body.substr(comma + 1));
      if (!lo.empty()) {
        BW_ASSIGN_OR_RETURN(auto p, version_of(lo));
        r.lower = std::move(p);
      }
      if (!hi.empty()) {
        BW_ASSIGN_OR_RETURN(auto p, version_of(hi));
        r.upper = std::move(p);
      }
      if (r.lower && r.upper) {
        int k = cmp(*r.upper, *r.lower);
        if (k < 0 || (k == 0 && (!r.lower_inclusive || !r.upper_inclusive))) {
          return bad_constraint(kName, c, "range defies version ordering");
        }
      }
    }
    if (!first && previous_upper && (!r.lower || cmp(*r.lower, *previous_upper) < 0)) {
      return bad_constraint(kName, c, "ranges overlap");
    }
    first = false;
    previous_upper = r.upper;
    bool in = true;
    if (r.lower) {
      int k = cmp(*r.lower, ver);
      if (k > 0 || (k == 0 && !r.lower_inclusive)) in = false;
    }
    if (r.upper) {
      int k = cmp(*r.upper, ver);
      if (k < 0 || (k == 0 && !r.upper_inclusive)) in = false;
    }
    if (in) any = true;
    s = trim_space(s.substr(close + 1));
    if (!s.empty() && s.front() == ',') s = trim_space(s.substr(1));
  }
  return any;
}

}  // namespace bulwark::version::maven
