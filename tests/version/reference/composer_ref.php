<?php
// Reference for Packagist: Composer's own composer/semver (Debian's php-composer-semver).
// argv[1]: compare (A<TAB>B -> -1/0/1 on normalized versions) or satisfies (V<TAB>CONSTRAINT);
// "E" when Composer rejects an input.
require '/usr/share/php/Composer/Semver/autoload.php';
use Composer\Semver\VersionParser;
use Composer\Semver\Comparator;
use Composer\Semver\Semver;

$mode = $argv[1];
$parser = new VersionParser();
$out = [];
while (($line = fgets(STDIN)) !== false) {
    $parts = explode("\t", rtrim($line, "\n"), 2);
    try {
        if ($mode === 'compare') {
            $a = $parser->normalize($parts[0]);
            $b = $parser->normalize($parts[1]);
            if (str_starts_with($a, 'dev-') || str_starts_with($b, 'dev-')) { $out[] = 'E'; continue; }
            $out[] = Comparator::lessThan($a, $b) ? '-1' : (Comparator::equalTo($a, $b) ? '0' : '1');
        } else {
            $v = $parser->normalize($parts[0]);
            if (str_starts_with($v, 'dev-')) { $out[] = 'E'; continue; }
            $c = $parser->parseConstraints($parts[1]);
            $out[] = Semver::satisfies($parts[0], $parts[1]) ? 'true' : 'false';
        }
    } catch (\Throwable $e) {
        $out[] = 'E';
    }
}
echo implode("\n", $out), "\n";
