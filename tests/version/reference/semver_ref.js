// Reference for npm: the node-semver package. argv: path-to-semver-module mode.
// compare: A<TAB>B -> -1/0/1; satisfies: V<TAB>RANGE -> true/false; "E" when semver throws.
const semver = require(process.argv[2]);
const mode = process.argv[3];
const lines = require('fs').readFileSync(0, 'utf8').split('\n');
const out = [];
for (const line of lines) {
  if (line === '') continue;
  const [a, b] = line.split('\t');
  try {
    if (mode === 'compare') {
      out.push(String(semver.compare(new semver.SemVer(a), new semver.SemVer(b))));
    } else {
      const v = new semver.SemVer(a);
      const r = new semver.Range(b);
      out.push(r.test(v) ? 'true' : 'false');
    }
  } catch (e) {
    out.push('E');
  }
}
process.stdout.write(out.join('\n') + '\n');
