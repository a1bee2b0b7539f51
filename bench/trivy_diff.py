#!/usr/bin/env python3
"""Diffs what Trivy and bulwark find in one image, as sets (issue 8).

  trivy_diff.py packages TRIVY.cdx.json BULWARK.cdx.json
  trivy_diff.py secrets  TRIVY.json     BULWARK.json

Packages are compared by purl (type, namespace, name, version); Trivy writes a deb epoch as an
`epoch` qualifier, bulwark (like dpkg) inside the version, so the qualifier is folded in.
Secrets are compared by (path, layer diff_id). Prints one line per item found by only one
tool, prefixed `only-trivy` or `only-bulwark`, then a summary line; exits 0.
"""
import json
import sys
import urllib.parse


def purl_key(purl):
    body = purl[len("pkg:"):] if purl.startswith("pkg:") else purl
    body, _, _subpath = body.partition("#")
    body, _, query = body.partition("?")
    path, _, version = body.rpartition("@") if "@" in body else (body, "", "")
    version = urllib.parse.unquote(version)
    quals = dict(urllib.parse.parse_qsl(query))
    if quals.get("epoch", "0") != "0":
        version = quals["epoch"] + ":" + version
    parts = [urllib.parse.unquote(p) for p in path.split("/")]
    ptype = parts[0].lower()
    name = parts[-1]
    namespace = "/".join(parts[1:-1])
    if ptype in ("deb", "apk", "rpm"):
        name = name.lower()
        namespace = namespace.lower()
    if ptype == "pypi":
        name = name.lower().replace("_", "-").replace(".", "-")
    return f"{ptype}/{namespace}/{name}@{version}"


def cyclonedx_packages(path):
    doc = json.load(open(path))
    return {purl_key(c["purl"]) for c in doc.get("components", []) if c.get("purl")}


def trivy_secrets(path):
    doc = json.load(open(path))
    out = set()
    for result in doc.get("Results") or []:
        for s in result.get("Secrets") or []:
            layer = (s.get("Layer") or {}).get("DiffID", "")
            out.add(("/" + result.get("Target", "").lstrip("/"), layer))
    return out


def bulwark_secrets(path):
    doc = json.load(open(path))
    layers = doc.get("target", {}).get("layers", [])
    out = set()
    for f in doc.get("findings", []):
        if f.get("kind") != "secret":
            continue
        target = f.get("target", "").split(":")[0]
        layer = f.get("layer")
        diff_id = layers[layer]["diff_id"] if isinstance(layer, int) and layer < len(layers) else ""
        out.add(("/" + target.lstrip("/"), diff_id))
    return out


def main():
    kind, trivy_file, bulwark_file = sys.argv[1:4]
    if kind == "packages":
        theirs, ours = cyclonedx_packages(trivy_file), cyclonedx_packages(bulwark_file)
    else:
        theirs, ours = trivy_secrets(trivy_file), bulwark_secrets(bulwark_file)
    for item in sorted(theirs - ours):
        print("only-trivy", item)
    for item in sorted(ours - theirs):
        print("only-bulwark", item)
    print(f"summary {kind}: trivy {len(theirs)} bulwark {len(ours)} both {len(theirs & ours)} "
          f"only-trivy {len(theirs - ours)} only-bulwark {len(ours - theirs)}")


if __name__ == "__main__":
    main()
