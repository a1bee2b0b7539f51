# Reference for Debian versions: libapt-pkg's comparison (python3-apt), the same algorithm as
# dpkg. Input lines "A<TAB>B"; output one of -1/0/1 per line.
import sys
import apt_pkg

apt_pkg.init_system()
out = []
for line in sys.stdin:
    a, b = line.rstrip("\n").split("\t")
    r = apt_pkg.version_compare(a, b)
    out.append(str((r > 0) - (r < 0)))
print("\n".join(out))
