// OVAL definitions importer for Debian (oval-definitions-<codename>.xml) and Ubuntu
// (com.ubuntu.<codename>.usn.oval.xml). Streamed with libxml2's xmlTextReader: definitions
// come first and reference dpkginfo tests, objects (package names, directly or through
// constant variables) and states (an EVR "less than" the fixed version), which come later, so
// definitions are kept compactly and resolved at the end. Debian writes the fixed version
// "0:0" for releases that were never affected.
#include <libxml/xmlreader.h>

#include <cstring>
#include <unordered_map>

#include "vulndb/cvss.hpp"
#include "vulndb/importer.hpp"

namespace bulwark::vulndb {

namespace {

struct Def {
  std::string id_attr;
  std::string klass;
  std::string title;
  std::string severity;
  std::string date;
  std::vector<std::pair<std::string, std::string>> refs;  // (source, ref_id)
  std::vector<std::string> cvss_vectors;
  std::vector<std::string> test_refs;
};
struct Test {
  std::string object_ref;
  std::string state_ref;
};
struct Object {
  std::string name;
  std::string var_ref;
};
struct State {
  std::string evr;
  std::string operation;
};

std::string attr(xmlTextReaderPtr r, const char* name) {
  xmlChar* v = xmlTextReaderGetAttribute(r, reinterpret_cast<const xmlChar*>(name));
  if (v == nullptr) return {};
  std::string s(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return s;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

int read_cb(void* ctx, char* buf, int len) {
  return static_cast<OvalInput*>(ctx)->read(buf, len);
}
int close_cb(void* /*ctx*/) {
  return 0;
}

class MemoryInput final : public OvalInput {
 public:
  explicit MemoryInput(std::string_view t) : t_(t) {}
  int read(char* buf, int len) override {
    const size_t n = std::min(t_.size(), static_cast<size_t>(len));
    std::memcpy(buf, t_.data(), n);
    t_.remove_prefix(n);
    return static_cast<int>(n);
  }

 private:
  std::string_view t_;
};

// Silences libxml2's default "print to stderr" handler; errors are read from the reader.
void ignore_errors(void* /*arg*/, const char* /*msg*/, xmlParserSeverities /*sev*/,
                   xmlTextReaderLocatorPtr /*loc*/) {}

}  // namespace

void import_oval(std::string_view where, OvalInput& input, OvalFlavor flavor,
                 std::string_view release, AdvisorySink& sink, ImportStats& stats) {
  xmlTextReaderPtr r = xmlReaderForIO(read_cb, close_cb, &input, nullptr, nullptr,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (r == nullptr) {
    stats.fail(std::string(where) + ": cannot start the XML reader");
    return;
  }
  xmlTextReaderSetErrorHandler(r, ignore_errors, nullptr);
  enum class Section { kNone, kDefinitions, kTests, kObjects, kStates, kVariables } section{};
  std::vector<Def> defs;
  std::unordered_map<std::string, Test> tests;
  std::unordered_map<std::string, Object> objects;
  std::unordered_map<std::string, State> states;
  std::unordered_map<std::string, std::vector<std::string>> variables;
  std::string* capture = nullptr;
  int capture_depth = -1;
  Test* cur_test = nullptr;
  Object* cur_obj = nullptr;
  State* cur_state = nullptr;
  std::vector<std::string>* cur_var = nullptr;
  bool in_debian_meta = false;
  std::string scratch;
  int ret;
  while ((ret = xmlTextReaderRead(r)) == 1) {
    const int type = xmlTextReaderNodeType(r);
    const int depth = xmlTextReaderDepth(r);
    if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
        type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) {
      if (capture != nullptr) {
        const xmlChar* v = xmlTextReaderConstValue(r);
        if (v != nullptr) capture->append(reinterpret_cast<const char*>(v));
      }
      continue;
    }
    if (type == XML_READER_TYPE_END_ELEMENT) {
      if (capture != nullptr && depth == capture_depth) {
        capture = nullptr;
        capture_depth = -1;
      }
      const char* name = reinterpret_cast<const char*>(xmlTextReaderConstLocalName(r));
      if (name != nullptr && std::strcmp(name, "debian") == 0) in_debian_meta = false;
      continue;
    }
    if (type != XML_READER_TYPE_ELEMENT) continue;
    // Text is captured from leaf elements only; a child element ends the capture, so the
    // captured string is never one that the code below may move (defs / values grow here).
    capture = nullptr;
    capture_depth = -1;
    const std::string_view name(reinterpret_cast<const char*>(xmlTextReaderConstLocalName(r)));
    const bool empty = xmlTextReaderIsEmptyElement(r) == 1;
    if (depth == 1) {
      section = name == "definitions" ? Section::kDefinitions
                : name == "tests"     ? Section::kTests
                : name == "objects"   ? Section::kObjects
                : name == "states"    ? Section::kStates
                : name == "variables" ? Section::kVariables
                                      : Section::kNone;
      continue;
    }
    auto start_capture = [&](std::string* target) {
      if (empty) return;
      capture = target;
      capture_depth = depth;
    };
    switch (section) {
      case Section::kDefinitions:
        if (name == "definition") {
          defs.push_back(Def{attr(r, "id"), attr(r, "class"), {}, {}, {}, {}, {}, {}});
        } else if (defs.empty()) {
          break;
        } else if (name == "title") {
          start_capture(&defs.back().title);
        } else if (name == "reference") {
          defs.back().refs.emplace_back(attr(r, "source"), attr(r, "ref_id"));
        } else if (name == "severity") {
          start_capture(&defs.back().severity);
        } else if (name == "cve") {
          if (auto v = attr(r, "cvss_vector"); !v.empty()) defs.back().cvss_vectors.push_back(v);
        } else if (name == "issued") {
          defs.back().date = attr(r, "date");
        } else if (name == "debian") {
          in_debian_meta = true;
        } else if (name == "date" && in_debian_meta) {
          start_capture(&defs.back().date);
        } else if (name == "criterion") {
          defs.back().test_refs.push_back(attr(r, "test_ref"));
        }
        break;
      case Section::kTests:
        if (depth == 2) {
          cur_test = ends_with(name, "dpkginfo_test") ? &tests[attr(r, "id")] : nullptr;
        } else if (cur_test != nullptr && name == "object") {
          cur_test->object_ref = attr(r, "object_ref");
        } else if (cur_test != nullptr && name == "state") {
          cur_test->state_ref = attr(r, "state_ref");
        }
        break;
      case Section::kObjects:
        if (depth == 2) {
          cur_obj = name == "dpkginfo_object" ? &objects[attr(r, "id")] : nullptr;
        } else if (cur_obj != nullptr && name == "name") {
          cur_obj->var_ref = attr(r, "var_ref");
          start_capture(&cur_obj->name);
        }
        break;
      case Section::kStates:
        if (depth == 2) {
          cur_state = name == "dpkginfo_state" ? &states[attr(r, "id")] : nullptr;
        } else if (cur_state != nullptr && name == "evr") {
          cur_state->operation = attr(r, "operation");
          start_capture(&cur_state->evr);
        }
        break;
      case Section::kVariables:
        if (depth == 2) {
          cur_var = name == "constant_variable" ? &variables[attr(r, "id")] : nullptr;
        } else if (cur_var != nullptr && name == "value") {
          cur_var->emplace_back();
          start_capture(&cur_var->back());
        }
        break;
      case Section::kNone:
        break;
    }
  }
  if (ret != 0) {
    const xmlError* e = xmlGetLastError();
    std::string msg = e != nullptr && e->message != nullptr ? e->message : "parse error";
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    stats.fail(std::string(where) + ": malformed OVAL XML (line " +
               std::to_string(xmlTextReaderGetParserLineNumber(r)) + "): " + msg);
    xmlFreeTextReader(r);
    return;  // a cut file is refused whole: its tests/states would be missing
  }
  xmlFreeTextReader(r);

  const std::string source = flavor == OvalFlavor::kDebian ? "debian-oval" : "ubuntu-oval";
  const std::string eco = flavor == OvalFlavor::kDebian ? "Debian" : "Ubuntu";
  for (auto& d : defs) {
    if (d.klass != "vulnerability" && d.klass != "patch") {
      stats.skip("OVAL " + d.klass + " definition");
      continue;
    }
    Advisory a;
    a.source = source;
    // Debian: "CVE-2023-1234 pkg" / "DSA-5418-1 chromium"; Ubuntu: the USN reference.
    for (const auto& [src, ref] : d.refs)
      if (src == "USN" && a.id.empty()) a.id = ref;
    if (a.id.empty()) a.id = d.title.substr(0, d.title.find(' '));
    if (a.id.empty()) {
      stats.fail(std::string(where) + ": definition " + d.id_attr + " has no id");
      continue;
    }
    for (const auto& [src, ref] : d.refs)
      if (ref != a.id && (src == "CVE" || src == "DSA")) a.aliases.push_back(ref);
    a.published = d.date;
    a.severity = d.severity;
    for (auto& c : a.severity) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (const auto& v : d.cvss_vectors) {
      auto s = cvss3_base_score(v);
      if (s && (!a.cvss_v3_score || *s > *a.cvss_v3_score)) {
        a.cvss_v3_score = s;
        a.cvss_v3_vector = v;
      }
    }
    if (a.severity.empty() && a.cvss_v3_score) a.severity = cvss_severity(*a.cvss_v3_score);
    for (const auto& tref : d.test_refs) {
      auto t = tests.find(tref);
      if (t == tests.end()) continue;  // release / architecture / kernel tests
      auto o = objects.find(t->second.object_ref);
      auto s = states.find(t->second.state_ref);
      if (o == objects.end() || s == states.end()) {
        stats.fail(std::string(where) + ": " + a.id + ": test " + tref +
                   " points to a missing object or state");
        continue;
      }
      if (s->second.operation != "less than") {
        stats.skip("dpkginfo state operation \"" + s->second.operation + "\"");
        continue;
      }
      std::string evr = s->second.evr;
      if (evr.rfind("0:", 0) == 0) evr.erase(0, 2);  // epoch 0 is the default
      std::vector<std::string> names;
      if (!o->second.var_ref.empty()) {
        auto v = variables.find(o->second.var_ref);
        if (v != variables.end()) names = v->second;
      } else if (!o->second.name.empty()) {
        names.push_back(o->second.name);
      }
      for (const auto& n : names) {
        if (n.empty()) continue;
        Affected x;
        x.ecosystem = eco;
        x.release = std::string(release);
        x.package = normalize_package(eco, n);
        x.package_kind = flavor == OvalFlavor::kDebian ? "source" : "binary";
        if (evr == "0") {
          // Debian's generator writes 0 where the tracker has no fixed version: mostly issues
          // still open in that release (bookworm: apt CVE-2011-3374, gcc-12 CVE-2022-27943,
          // gnupg2 CVE-2022-3219, all open in the tracker), and also packages marked not
          // affected. The file cannot tell the two apart, so the package is reported unfixed
          // with that caveat, and the tracker's own verdict wins where the database has it
          // (matcher.cpp).
          x.status = Status::kUnfixed;
          x.status_detail = kOvalNoFixedVersion;
          x.ranges.push_back({"ECOSYSTEM", {{EventKind::kIntroduced, "0"}}});
        } else {
          x.status = Status::kFixed;
          x.ranges.push_back(
              {"ECOSYSTEM", {{EventKind::kIntroduced, "0"}, {EventKind::kFixed, evr}}});
        }
        a.affected.push_back(std::move(x));
      }
    }
    if (a.affected.empty()) {
      stats.skip("definition without a package test");
      continue;
    }
    ++stats.imported;
    sink.add(std::move(a));
  }
}

void import_oval_text(std::string_view where, std::string_view text, OvalFlavor flavor,
                      std::string_view release, AdvisorySink& sink, ImportStats& stats) {
  MemoryInput in(text);
  import_oval(where, in, flavor, release, sink, stats);
}

}  // namespace bulwark::vulndb
