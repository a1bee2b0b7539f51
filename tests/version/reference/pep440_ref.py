# Reference for PEP 440: python3-packaging. Mode "compare" (A<TAB>B -> -1/0/1) or "satisfies"
# (V<TAB>SPECIFIERS -> true/false, prereleases accepted); "E" when packaging rejects an input.
import sys
from packaging.version import Version, InvalidVersion
from packaging.specifiers import SpecifierSet, InvalidSpecifier

mode = sys.argv[1]
out = []
for line in sys.stdin:
    a, b = line.rstrip("\n").split("\t")
    try:
        if mode == "compare":
            x, y = Version(a), Version(b)
            out.append(str((x > y) - (x < y)))
        else:
            s = SpecifierSet(b)
            out.append("true" if s.contains(Version(a), prereleases=True) else "false")
    except (InvalidVersion, InvalidSpecifier):
        out.append("E")
print("\n".join(out))
