// Java archives (jar, war, ear, Jenkins plugins), read from memory, including archives nested
// in them (Spring Boot BOOT-INF/lib, WEB-INF/lib, ear modules) down to a depth limit. Identity
// comes from META-INF/maven/**/pom.properties (a shaded jar carries several), then from
// META-INF/MANIFEST.MF, then from the file name ("name-1.2.3.jar"). Ecosystem "maven", name
// "groupId:artifactId" (as OSV names Maven packages), purl pkg:maven/groupId/artifactId@version.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/cataloger.hpp"

namespace bulwark::catalog {

class JavaArchiveCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "java-archive"; }
  int version() const override { return 2; }  // 2: nested archives' packages located inside
  std::vector<image::PathPattern> patterns() const override;
  core::Result<void> analyze(const image::Entry& entry, image::EntryContent& content,
                             image::LayerFacts& out) const override;
};

// "app.jar" + "BOOT-INF/lib/x.jar" -> "app.jar!/BOOT-INF/lib/x.jar" (kNestedSeparator).
std::string nested_location(std::string_view outer, std::string_view inner);

struct JavaParseResult {
  // Packages of the outer archive carry no location; a nested archive's packages carry one,
  // the nesting chain inside the outer archive ("BOOT-INF/lib/x.jar", "a.war!/WEB-INF/lib/b.jar").
  std::vector<core::Package> packages;
  std::vector<std::string> warnings;  // "nested/path.jar: reason", "entry X: reason"
};
// `file_name` is the archive's base name, the last resort for its identity. Fails only when
// the outer archive cannot be read at all or a zip-bomb limit is crossed.
core::Result<JavaParseResult> parse_java_archive(std::string_view data, std::string_view file_name);

// java.util.Properties text (key=value, key: value, comments, line continuations, escapes).
std::map<std::string, std::string> parse_java_properties(std::string_view text);
// The main section of a jar manifest, continuation lines joined.
std::map<std::string, std::string> parse_jar_manifest(std::string_view text);

struct ArchiveFileName {
  std::string name;
  std::string version;  // empty when the name carries none
};
// "jackson-core-2.14.1.jar" -> {jackson-core, 2.14.1}; the version starts at the last '-'
// followed by a digit ("log4j-1.2-api-2.17.1.jar" -> {log4j-1.2-api, 2.17.1}).
ArchiveFileName split_archive_file_name(std::string_view file_name);

}  // namespace bulwark::catalog
