// The Dockerfile parser against the Dockerfile reference's syntax: directives, continuations,
// heredocs, exec/shell forms, flags, ARG/ENV expansion, stages and line numbers; bad input
// gives one-line errors in bounded time.
#include <gtest/gtest.h>

#include <chrono>

#include "misconfig/dockerfile/parser.hpp"

namespace bulwark::misconfig::dockerfile {
namespace {

Dockerfile parse_ok(std::string_view text) {
  auto r = parse(text, "Dockerfile");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
  return r.ok() ? *r : Dockerfile{};
}

TEST(DockerfileParser, JoinsContinuationsSkippingCommentsAndKeepsLineSpans) {
  auto df = parse_ok(R"(FROM debian:12

# a comment
RUN apt-get update && \
    # comment inside the continuation

    apt-get install -y curl
USER app
)");
  ASSERT_EQ(df.instructions.size(), 3u);
  const auto& run = df.instructions[1];
  EXPECT_EQ(run.keyword, "RUN");
  EXPECT_EQ(run.line, 4);
  EXPECT_EQ(run.end_line, 7);
  EXPECT_EQ(run.args, "apt-get update &&     apt-get install -y curl");
  EXPECT_EQ(df.instructions[2].line, 8);
}

TEST(DockerfileParser, EscapeDirectiveSwitchesToBacktick) {
  auto df = parse_ok(
      "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
      "RUN dir c:\\ `\n    && echo done\nWORKDIR C:\\app\n");
  EXPECT_EQ(df.escape, '`');
  ASSERT_EQ(df.instructions.size(), 3u);
  EXPECT_EQ(df.instructions[1].args, "dir c:\\     && echo done");
  EXPECT_EQ(df.instructions[2].words.at(0), "C:\\app");  // backslash is literal now
}

TEST(DockerfileParser, DirectivesOnlyCountAtTheTop) {
  auto df = parse_ok(
      "# syntax=docker/dockerfile:1.7\n# escape=\\\nFROM alpine:3.19\n"
      "# escape=`\nRUN echo \\\n  hi\n");
  EXPECT_EQ(df.syntax, "docker/dockerfile:1.7");
  EXPECT_EQ(df.escape, '\\');
  EXPECT_EQ(df.instructions.back().args, "echo   hi");
}

TEST(DockerfileParser, ReadsSeveralHeredocsOnOneLine) {
  auto df = parse_ok(
      "FROM alpine:3.19\nRUN <<one cat - <<-\"two\"\nfirst $HOME\none\n"
      "\t\tsecond\n\ttwo\nCOPY <<EOF /etc/motd\nhello\nEOF\nUSER app\n");
  ASSERT_EQ(df.instructions.size(), 4u);
  const auto& run = df.instructions[1];
  ASSERT_EQ(run.heredocs.size(), 2u);
  EXPECT_EQ(run.heredocs[0].delimiter, "one");
  EXPECT_EQ(run.heredocs[0].content, "first $HOME\n");
  EXPECT_TRUE(run.heredocs[0].expand);
  EXPECT_EQ(run.heredocs[1].delimiter, "two");
  EXPECT_EQ(run.heredocs[1].content, "second\n");  // <<- strips leading tabs
  EXPECT_TRUE(run.heredocs[1].strip_tabs);
  EXPECT_FALSE(run.heredocs[1].expand);
  EXPECT_EQ(run.line, 2);
  EXPECT_EQ(run.end_line, 6);
  EXPECT_EQ(df.instructions[2].heredocs.at(0).content, "hello\n");
  EXPECT_EQ(df.instructions[3].line, 10);
}

TEST(DockerfileParser, HeredocMarkersInsideQuotesAreText) {
  auto df = parse_ok("FROM alpine:3.19\nRUN echo '<<EOF' \"<<X\"\nUSER a\n");
  EXPECT_TRUE(df.instructions[1].heredocs.empty());
  EXPECT_EQ(df.instructions.size(), 3u);
}

TEST(DockerfileParser, DistinguishesExecAndShellForms) {
  auto df = parse_ok(
      "FROM alpine:3.19\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n"
      "ENTRYPOINT [not json\nSHELL [\"/bin/bash\", \"-c\"]\n");
  EXPECT_TRUE(df.instructions[1].json_form);
  EXPECT_EQ(df.instructions[1].json_args, (std::vector<std::string>{"nginx", "-g", "daemon off;"}));
  EXPECT_FALSE(df.instructions[2].json_form);
  EXPECT_TRUE(df.instructions[3].json_form);
}

TEST(DockerfileParser, ExpandsArgAndEnvWithDefaultsAndAlternatives) {
  auto df = parse_ok(R"(FROM alpine:3.19
ARG V=1
ENV A=${V:-x} B=${U:-d} C=${V:+set} D=x${U:+no}y E=$V F='$V' G="\$V" H=${EMPTY:-dflt}
ENV EMPTY=
ENV I=${EMPTY-kept}${EMPTY:-used}
ENV legacy value with spaces
)");
  const auto& env = df.instructions[2].pairs;
  ASSERT_EQ(env.size(), 8u);
  std::map<std::string, std::string> m;
  for (const auto& kv : env) m[kv.key] = kv.value;
  EXPECT_EQ(m["A"], "1");
  EXPECT_EQ(m["B"], "d");
  EXPECT_EQ(m["C"], "set");
  EXPECT_EQ(m["D"], "xy");
  EXPECT_EQ(m["E"], "1");
  EXPECT_EQ(m["F"], "$V");
  EXPECT_EQ(m["G"], "$V");
  EXPECT_EQ(m["H"], "dflt");
  // ${X-w} substitutes only when unset; ${X:-w} also when empty.
  EXPECT_EQ(df.instructions[4].pairs.at(0).value, "used");
  EXPECT_EQ(df.instructions[5].pairs.at(0).key, "legacy");
  EXPECT_EQ(df.instructions[5].pairs.at(0).value, "value with spaces");
}

TEST(DockerfileParser, GlobalArgsExpandInFromAndImportIntoStages) {
  auto df = parse_ok(R"(ARG TAG=3.19
ARG REG=docker.io/library
FROM ${REG}/alpine:${TAG} AS Base
ARG TAG
WORKDIR /srv/$TAG
FROM base
WORKDIR /x/$TAG
)");
  ASSERT_EQ(df.stages.size(), 2u);
  EXPECT_EQ(df.stages[0].base, "docker.io/library/alpine:3.19");
  EXPECT_EQ(df.stages[0].name, "base");  // stage names are case-insensitive
  EXPECT_EQ(df.stages[0].line, 3);
  EXPECT_EQ(df.instructions[4].words.at(0), "/srv/3.19");
  // A new stage does not see the previous stage's ARG unless it declares it again.
  EXPECT_EQ(df.instructions[6].words.at(0), "/x/");
  EXPECT_EQ(df.instructions[0].stage, -1);
  EXPECT_EQ(df.instructions[6].stage, 1);
}

TEST(DockerfileParser, ParsesFlagsOfFromCopyAndRun) {
  auto df = parse_ok(
      "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n"
      "RUN --mount=type=cache,target=/root/.cache/go-build go build ./...\n"
      "FROM alpine:3.19\nCOPY --from=build --chown=app:app /out /usr/bin/\n");
  EXPECT_EQ(df.instructions[1].flag("mount")->value, "type=cache,target=/root/.cache/go-build");
  EXPECT_EQ(df.instructions[1].args, "go build ./...");
  const auto& copy = df.instructions[3];
  ASSERT_NE(copy.flag("from"), nullptr);
  EXPECT_EQ(copy.flag("from")->value, "build");
  EXPECT_EQ(copy.flag("chown")->value, "app:app");
  EXPECT_EQ(copy.words, (std::vector<std::string>{"/out", "/usr/bin/"}));
}

TEST(DockerfileParser, ExpansionOutputIsBounded) {
  std::map<std::string, std::string> vars{{"A", std::string(1000, 'a')}};
  std::string word;
  for (int i = 0; i < 1000; ++i) word += "$A";
  EXPECT_EQ(expand(word, vars, '\\', 4096).size(), 4096u);
  // Deeply nested defaults stop recursing instead of exhausting the stack.
  std::string nested;
  for (int i = 0; i < 5000; ++i) nested += "${X:-";
  nested += "v";
  for (int i = 0; i < 5000; ++i) nested += "}";
  EXPECT_LE(expand(nested, {}).size(), 64u << 10);
}

TEST(DockerfileParser, RejectsFilesWithoutFromWithOneLine) {
  auto r = parse("RUN echo hi\n", "x/Dockerfile");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "x/Dockerfile: no FROM instruction, not a Dockerfile");
}

TEST(DockerfileParser, RejectsUnterminatedHeredocNamingTheLine) {
  auto r = parse("FROM a:1\n\nRUN <<EOF\necho\n", "Dockerfile");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "Dockerfile:3: unterminated heredoc <<EOF");
}

TEST(DockerfileParser, RejectsBinaryAndOversizedInput) {
  std::string bin = "FROM a:1\n";
  bin += std::string("\0\x01\xff\xfe", 4);
  EXPECT_FALSE(parse(bin, "bin").ok());
  ParseLimits small;
  small.max_bytes = 100;
  auto r = parse(std::string(200, 'F'), "big", small);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), core::ErrorCode::kLimitExceeded);
  EXPECT_EQ(r.error().message().find('\n'), std::string::npos);
}

TEST(DockerfileParser, InvalidUtf8IsText) {
  auto df = parse_ok("FROM alpine:3.19\nLABEL name=\"\xff\xfe\xc3\x28\"\n");
  EXPECT_EQ(df.instructions[1].pairs.at(0).value, "\xff\xfe\xc3\x28");
}

TEST(DockerfileParser, OneMegabyteOneLineDockerfileParsesQuickly) {
  std::string text = "FROM alpine:3.19\nRUN echo";
  while (text.size() < (1u << 20)) text += " $A${B:-c}'q' && x | y";
  text += "\n";
  auto start = std::chrono::steady_clock::now();
  auto r = parse(text, "Dockerfile");
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(r.ok());
  EXPECT_LT(secs, 5.0);
  // And a 1 MB line without a FROM is a one-line error.
  auto bad = parse(std::string(1u << 20, 'x'), "one-line");
  ASSERT_FALSE(bad.ok());
  EXPECT_LT(bad.error().message().size(), 200u);
}

TEST(DockerfileParser, RecognisesDockerfilesByContent) {
  EXPECT_TRUE(looks_like_dockerfile("# comment\n\nARG X=1\nFROM alpine:${X}\n"));
  EXPECT_TRUE(looks_like_dockerfile("from alpine:3.19\nrun true\n"));
  EXPECT_FALSE(looks_like_dockerfile("apiVersion: v1\nkind: Pod\n"));
  EXPECT_FALSE(looks_like_dockerfile("ARG only\n"));
  EXPECT_FALSE(looks_like_dockerfile("FROMAGE\n"));
}

}  // namespace
}  // namespace bulwark::misconfig::dockerfile
