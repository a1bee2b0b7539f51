# Reference for RPM versions: python3-rpm's rpm.ver (rpmvercmp + EVR parsing, like labelCompare).
import sys
import rpm

out = []
for line in sys.stdin:
    a, b = line.rstrip("\n").split("\t")
    x, y = rpm.ver(a), rpm.ver(b)
    out.append(str((x > y) - (x < y)))
print("\n".join(out))
