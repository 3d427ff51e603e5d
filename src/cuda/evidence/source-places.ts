/**
 * Where in a source tree a file is (`EvidencePlace`), from its path alone. The policy (also at
 * the top of source.ts):
 *  - evidence in `main` decides the library set;
 *  - `vendored` decides too: vendored code is usually compiled into the package; the finding
 *    names where it came from so a reviewer can drop a library of an unused vendored tree;
 *  - `tests`, `examples`, `benchmarks` and `docs` never add a package, because those folders
 *    often use libraries the package itself does not build with (cuRAND to make test data, cuBLAS
 *    to check results); their evidence is reported.
 *
 * How a path is classified: folder names are compared case-insensitively, outermost first. The
 * first folder that names a non-deciding place wins (`third_party/nccl/tests/x.cc` is `tests`:
 * the vendored tree's own tests are not built either). Then the file name (`foo_test.cc`,
 * `test_foo.py`, `conftest.py` are `tests`). Then any vendoring folder makes it `vendored`.
 * Everything else is `main`.
 */
import type { EvidencePlace } from './types.js';

/**
 * Folder names → place. Left out on purpose:
 *  - `perf`: as often a profiling or performance-critical part of the library as a benchmark;
 *  - `build`: skipped only when it holds build output (see source.ts);
 *  - `contrib` IS vendored: in-tree code by others, built optionally (opencv_contrib style);
 *    as `vendored` it still decides, but its findings say where the evidence came from.
 */
export const PLACE_FOLDERS: ReadonlyArray<readonly [EvidencePlace, readonly string[]]> = [
  ['tests', ['test', 'tests', 'testing', 'unittest', 'unittests', 'unit_tests', 'unit-tests', 'testsuite', 'test-suite', '__tests__']],
  ['examples', ['example', 'examples', 'sample', 'samples', 'demo', 'demos', 'tutorial', 'tutorials']],
  ['benchmarks', ['bench', 'benches', 'benchmark', 'benchmarks']],
  ['docs', ['doc', 'docs', 'documentation']],
  [
    'vendored',
    [
      ...['third_party', 'third-party', 'thirdparty', '3rdparty', '3rd_party', '3rd-party'],
      ...['external', 'externals', 'extern', 'vendor', 'vendored', 'deps', 'dependencies', 'submodules', 'subprojects', 'contrib'],
    ],
  ],
];

/** File names of tests, wherever they are (gtest `*_test.cc`, pytest `test_*.py`, …). */
export const TEST_FILE_NAMES: readonly RegExp[] = [
  /^test_.+\.(?:py|c|cc|cpp|cxx|cu)$/i,
  /.(?:_|-)(?:test|tests|unittest)\.(?:py|c|cc|cpp|cxx|cu|cu\.cc)$/i,
  /^conftest\.py$/,
];

const FOLDER_PLACE: ReadonlyMap<string, EvidencePlace> = new Map(PLACE_FOLDERS.flatMap(([place, names]) => names.map((n) => [n, place] as const)));

/**
 * The place of the file at `relPath` (relative to the scanned root, `/`-separated). `submodules`
 * are the folders `.gitmodules` names (vendored, whatever they are called).
 */
export function placeOf(relPath: string, submodules: readonly string[] = []): EvidencePlace {
  const segments = relPath.split('/');
  const inSubmodule = submodules.some((m) => relPath.startsWith(`${m}/`));
  const file = segments.pop() ?? '';
  let vendored = false;
  for (const segment of segments) {
    const place = FOLDER_PLACE.get(segment.toLowerCase());
    if (place === 'vendored') vendored = true;
    else if (place !== undefined) return place;
  }
  if (TEST_FILE_NAMES.some((re) => re.test(file))) return 'tests';
  return vendored || inSubmodule ? 'vendored' : 'main';
}
