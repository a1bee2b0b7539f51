#!/usr/bin/env python3
"""Dockerfile findings of bulwark and Trivy on the Dockerfiles the rule tests use, as sets.

The cases are read from tests/misconfig/dockerfile_rules_test.cpp (the kCases table: for each
rule a Dockerfile that fires it and one that does not), written one per directory, and both
tools check the whole tree once: `bulwark config --format json DIR` and
`trivy config --format json DIR`. Findings are compared by (Dockerfile, meaning): rule ids
differ between the tools, so MEANING maps each tool's ids to a shared name. A Trivy check with
no entry in MEANING keeps its own id as its meaning, so it shows up as "only-trivy" until it
is mapped or explained in docs/comparison.md.

  bench/dockerfile_vs_trivy.py BULWARK TRIVY WORKDIR

Prints "only-trivy"/"only-bulwark" lines and one summary line; exits 3 when a tool could not
be run (reported as such, never counted as a finding set).
"""
import json
import os
import re
import subprocess
import sys

# Meaning of each rule id. Trivy ids are its built-in Dockerfile checks (trivy-checks,
# "DSnnn"); bulwark ids are src/misconfig/dockerfile/rules.cpp's.
MEANING = {
    "DS001": "base image tag latest or missing",
    "BW-DF-003": "base image tag latest or missing",
    "BW-DF-004": "base image tag latest or missing",
    "DS002": "runs as root",
    "BW-DF-001": "runs as root",
    "BW-DF-002": "runs as root",
    "DS004": "port 22 exposed",
    "BW-DF-019": "port 22 exposed",
    "DS005": "ADD where COPY fits",
    "BW-DF-007": "ADD where COPY fits",
    "DS006": "COPY --from names its own stage",
    "BW-DF-027": "COPY --from names its own stage",
    "DS007": "several ENTRYPOINTs",
    "BW-DF-023": "several ENTRYPOINTs",
    "DS008": "port out of range",
    "BW-DF-031": "port out of range",
    "DS009": "WORKDIR not absolute",
    "BW-DF-024": "WORKDIR not absolute",
    "DS010": "sudo in RUN",
    "BW-DF-016": "sudo in RUN",
    "DS011": "COPY to several sources without a trailing slash",
    "BW-DF-033": "COPY to several sources without a trailing slash",
    "DS012": "duplicate stage alias",
    "BW-DF-028": "duplicate stage alias",
    "DS013": "RUN cd instead of WORKDIR",
    "BW-DF-025": "RUN cd instead of WORKDIR",
    "DS014": "both curl and wget",
    "BW-DF-036": "both curl and wget",
    "DS015": "yum/dnf clean all missing",
    "DS019": "yum/dnf clean all missing",
    "BW-DF-015": "yum/dnf clean all missing",
    "DS016": "several CMDs",
    "BW-DF-022": "several CMDs",
    "DS021": "apt-get without -y",
    "BW-DF-008": "apt-get without -y",
    "DS022": "MAINTAINER",
    "BW-DF-026": "MAINTAINER",
    "DS024": "dist-upgrade or upgrade",
    "BW-DF-012": "dist-upgrade or upgrade",
    "DS025": "apk add without --no-cache",
    "BW-DF-013": "apk add without --no-cache",
    "DS026": "no HEALTHCHECK",
    "BW-DF-020": "no HEALTHCHECK",
    "DS027": "yum install without -y",
    "BW-DF-014": "yum install without -y",
    "DS029": "apt-get install without --no-install-recommends",
    "BW-DF-009": "apt-get install without --no-install-recommends",
    "DS017": "package index update in a RUN of its own",
    "BW-DF-041": "package index update in a RUN of its own",
    "DS031": "secret in ENV, ARG or LABEL",
    "BW-DF-018": "secret in ENV, ARG or LABEL",
}

CASE_RE = re.compile(r'\{\s*"(BW-DF-\d+)"\s*,((?:\s*"(?:[^"\\]|\\.)*")+)\s*,((?:\s*"(?:[^"\\]|\\.)*")+)\s*\}')
LITERAL_RE = re.compile(r'"((?:[^"\\]|\\.)*)"')
ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "'": "'"}


def cpp_string(literals):
    """Adjacent C++ string literals, escapes resolved (the table uses \\n \\t \\" \\\\)."""
    out = []
    for lit in LITERAL_RE.findall(literals):
        i = 0
        while i < len(lit):
            c = lit[i]
            if c == "\\":
                nxt = lit[i + 1]
                if nxt not in ESCAPES:
                    sys.exit(f"dockerfile_vs_trivy: unsupported escape \\{nxt} in the test table")
                out.append(ESCAPES[nxt])
                i += 2
            else:
                out.append(c)
                i += 1
    return "".join(out)


def write_cases(test_source, root):
    text = open(test_source, encoding="utf-8").read()
    table = text[text.index("const Case kCases[] = {"):]
    table = table[: table.index("\n};")]
    cases = CASE_RE.findall(table)
    if not cases:
        sys.exit("dockerfile_vs_trivy: no cases found in " + test_source)
    names = []
    for n, (rule, fires, clean) in enumerate(cases):
        for kind, body in (("fires", fires), ("clean", clean)):
            name = f"{n:03d}-{rule}-{kind}"
            os.makedirs(os.path.join(root, name), exist_ok=True)
            with open(os.path.join(root, name, "Dockerfile"), "w", encoding="utf-8") as f:
                f.write(cpp_string(body))
            names.append(name)
    return names


def run_json(cmd, what):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as e:
        print(f"dockerfile_vs_trivy: {what} could not run: {e}", file=sys.stderr)
        sys.exit(3)
    try:
        return json.loads(p.stdout)
    except json.JSONDecodeError:
        tail = (p.stderr or "").strip().splitlines()[-1:] or ["no output"]
        print(f"dockerfile_vs_trivy: {what} failed (exit {p.returncode}): {tail[0]}", file=sys.stderr)
        sys.exit(3)


def case_of(path):
    parts = os.path.normpath(path).split(os.sep)
    return parts[-2] if len(parts) >= 2 else path


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    bulwark, trivy, work = sys.argv[1:]
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    root = os.path.join(work, "dockerfiles")
    cases = write_cases(os.path.join(repo, "tests/misconfig/dockerfile_rules_test.cpp"), root)

    ours = run_json([bulwark, "config", "-q", "--format", "json", root], "bulwark config")
    b = set()
    for f in ours.get("findings", []):
        rule = f.get("rule_id") or f.get("id")
        path = f.get("file") or ""
        b.add((case_of(path), MEANING.get(rule, rule)))

    theirs = run_json([trivy, "config", "--format", "json", root], "trivy config")
    t = set()
    titles = {}
    for r in theirs.get("Results") or []:
        for m in r.get("Misconfigurations") or []:
            meaning = MEANING.get(m["ID"], m["ID"])
            titles[meaning] = m.get("Title", "")
            t.add((case_of(r["Target"]), meaning))

    for case, meaning in sorted(t - b):
        print(f"    only-trivy {case}: {meaning} {titles.get(meaning, '')}".rstrip())
    for case, meaning in sorted(b - t):
        print(f"    only-bulwark {case}: {meaning}")
    print(f"    summary dockerfile findings ({len(cases)} Dockerfiles): trivy {len(t)} bulwark {len(b)} "
          f"both {len(t & b)} only-trivy {len(t - b)} only-bulwark {len(b - t)}")


if __name__ == "__main__":
    main()
