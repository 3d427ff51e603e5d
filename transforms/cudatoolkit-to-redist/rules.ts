/** The findings of cudatoolkit-to-redist, as data (rule id → severity and summary). */
export const rules = {
  'libraries-from-evidence': { severity: 'info', summary: 'Which redist packages replace the toolkit, and the evidence for each.' },
  'review-library-set': {
    severity: 'warning',
    summary: 'No evidence of which CUDA libraries the package uses: every library of the legacy toolkit was kept. Prune the list.',
  },
  'no-source-evidence': {
    severity: 'info',
    summary: 'The package\'s source could not be scanned (see the message); the set was decided from the .nix file alone.',
  },
  'runtime-load': {
    severity: 'warning',
    summary: 'The package loads CUDA libraries at run time (dlopen, ctypes): they must be on a runtime path, not only in buildInputs.',
  },
  'no-redist': { severity: 'warning', summary: 'CUDA before 11.4 has no redist packages in nixpkgs; the toolkit was left as is.' },
  'cmake-root-removed': { severity: 'info', summary: 'A CMake toolkit root or host compiler flag was removed: the CUDA setup hook sets it now.' },
  'build-time-join': {
    severity: 'info',
    summary: 'A build system that needs one CUDA prefix gets a build-time-only symlinkJoin of the needed components; it must not reach a runtime path.',
  },
  'whole-toolkit-intended': {
    severity: 'warning',
    summary: 'The toolkit is used where a whole toolkit may be intended (a dev shell, system packages, a join); left as is.',
  },
  'unknown-use': { severity: 'warning', summary: 'A use of the legacy toolkit this transform cannot rewrite safely; left as is.' },
  'join-members-split': {
    severity: 'info',
    summary: 'The toolkit in the paths of a symlinkJoin became the outputs of the split packages; the join itself is left to symlinkjoin-to-propagated.',
  },
  'passthru-kept': { severity: 'info', summary: '`passthru.cudatoolkit` is kept for backward compatibility (it does not enter closures).' },
  'call-site': { severity: 'info', summary: 'An explicit `cudatoolkit` argument became `cudaPackages`.' },
  'formal-kept': {
    severity: 'warning',
    summary: 'The `cudatoolkit` argument is still used by code left as is (see the other findings), so it was kept.',
  },
  'major-version': {
    severity: 'info',
    summary: '`cudatoolkit.majorVersion` was the major.minor version (a known bug); it became `cudaMajorMinorVersion` to keep behaviour.',
  },
} as const;

export type RuleId = keyof typeof rules;
