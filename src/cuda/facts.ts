/**
 * CUDA facts the transforms rely on, as data. Source: docs/cuda.md, cited by anchor
 * (docs/cuda.md#packages, #reverse-map, #conventions, #legacy-forms).
 */

export interface Component {
  /** Attribute in cudaPackages. */
  name: string;
  /** Has shared libraries that belong on a runtime path (docs/cuda.md#packages; stub-only and header-only do not). */
  runtime: boolean;
  /** A build tool (goes to nativeBuildInputs). */
  tool?: boolean;
  /** Evidence: what in a string or flag shows the package is used (docs/cuda.md#reverse-map). */
  evidence: RegExp;
  /** First CUDA version that has it, when later than 11.4 (docs/cuda.md#packages). */
  since?: string;
}

/**
 * Library components (buildInputs), in the order they are emitted. `evidence` matches text of
 * string fragments and path suffixes; it must not match unrelated words (`snappy` is not npp).
 */
export const LIBRARIES: readonly Component[] = [
  { name: 'cuda_cudart', runtime: true, evidence: /\bcudart\b|libcudart|cuda_runtime(_api)?\.h|\bcuda\.h\b|CUDA::cudart|-lcudart\b/ },
  { name: 'cuda_cccl', runtime: false, evidence: /\bthrust\b|(?:^|[^a-z])cub(?:[^a-z]|$)|cuda\/std|libcudacxx|\bcccl\b|nv\/target/i },
  { name: 'libcublas', runtime: true, evidence: /cublas/i },
  { name: 'libcufft', runtime: true, evidence: /cufft/i },
  { name: 'libcurand', runtime: true, evidence: /curand/i },
  { name: 'libcusolver', runtime: true, evidence: /cusolver/i },
  { name: 'libcusparse', runtime: true, evidence: /cusparse(?!_?lt)/i },
  { name: 'libnpp', runtime: true, evidence: /(?:^|[^a-z])(lib)?npp(c|ial|icc|idei|if|ig|im|ist|isu|itc|s)?(?![a-z])/i },
  { name: 'libnvjpeg', runtime: true, evidence: /nvjpeg/i },
  { name: 'cuda_nvrtc', runtime: true, evidence: /nvrtc/i },
  { name: 'cuda_nvtx', runtime: true, evidence: /nvToolsExt|\bnvtx/i },
  { name: 'cuda_cupti', runtime: true, evidence: /cupti/i },
  // the NVML in the toolkit is a link stub only: never on a runtime path (docs/cuda.md#packages, docs/cuda.md#reverse-map)
  { name: 'cuda_nvml_dev', runtime: false, evidence: /\bnvml\b|nvml\.h|nvidia-ml/ },
  { name: 'cuda_profiler_api', runtime: false, evidence: /cuda_profiler_api|cudaProfiler/, since: '11.8' },
  { name: 'libnvjitlink', runtime: true, evidence: /nvjitlink/i, since: '12.0' },
];

/** Tools (nativeBuildInputs). nvcc is added where CUDA code is compiled (src/cuda/evidence/decide.ts; docs/cuda.md#conventions). */
export const TOOLS: readonly Component[] = [
  { name: 'cuda_nvcc', runtime: false, tool: true, evidence: /\bnvcc\b|\bptxas\b|\bnvlink\b|\bfatbinary\b|\bcicc\b|libdevice|\bnvvm\b|\bbin2c\b/ },
  { name: 'cuda_cuobjdump', runtime: false, tool: true, evidence: /\bcuobjdump\b/ },
  { name: 'cuda_nvdisasm', runtime: false, tool: true, evidence: /\bnvdisasm\b/ },
  { name: 'cuda_nvprune', runtime: false, tool: true, evidence: /\bnvprune\b/ },
  { name: 'cuda_gdb', runtime: false, tool: true, evidence: /cuda-gdb/ },
  { name: 'cuda_sanitizer_api', runtime: false, tool: true, evidence: /compute-sanitizer/ },
  { name: 'cuda_cuxxfilt', runtime: false, tool: true, evidence: /cu\+\+filt/ },
];

/**
 * What `cudaPackages.cudatoolkit` joins today, libraries only
 * (docs/cuda.md#cudapackagescudatoolkit-today), minus what does not exist on every supported
 * version (opencl, nvjitlink ≥12.0).
 * Used when a file gives no evidence of which libraries it needs (keep behaviour, ask to prune).
 */
export const TOOLKIT_LIBRARIES: readonly string[] = [
  'cuda_cudart', 'cuda_cccl', 'libcublas', 'libcufft', 'libcurand', 'libcusolver', 'libcusparse', 'libnpp',
  'cuda_nvrtc', 'cuda_nvtx', 'cuda_cupti', 'cuda_nvml_dev', 'cuda_profiler_api',
];

export const ALL_COMPONENTS: ReadonlyMap<string, Component> = new Map([...LIBRARIES, ...TOOLS].map((c) => [c.name, c]));

/** The versioned package sets with redist packages start at CUDA 11.4 (docs/cuda.md#packages). */
export function hasRedist(version: string | undefined): boolean {
  if (version === undefined) return true; // the default set of any supported nixpkgs
  const [maj, min] = version.split(/[._]/).map(Number);
  if (maj === undefined || Number.isNaN(maj)) return true;
  if (maj < 11) return false;
  if (maj === 11 && min !== undefined && !Number.isNaN(min) && min < 4) return false;
  return true;
}

/** `cudatoolkit_11_8` → '11_8'; `cudatoolkit` → undefined; not a toolkit name → null. */
export function toolkitNameVersion(name: string): string | undefined | null {
  if (name === 'cudatoolkit') return undefined;
  const m = /^cudatoolkit_(\d+(?:_\d+)*)$/.exec(name);
  return m ? m[1]! : null;
}

/** `cudaPackages_11_8` → '11_8'; `cudaPackages` → undefined. */
export function packageSetVersion(name: string): string | undefined {
  const m = /^cudaPackages_(\d+(?:_\d+)*)$/.exec(name);
  return m ? m[1] : undefined;
}

/**
 * Map a path under the legacy toolkit prefix to (package, output accessor, rest of the path).
 * `suffix` is the literal text right after `${cudatoolkit}`. Returns undefined for paths it does
 * not know (they are reported, not guessed). docs/cuda.md#reverse-map, docs/cuda.md#legacy-forms.
 */
export interface PathMapping {
  /** How to refer to the package's output: 'lib' | 'dev' | 'bin' | 'out' | 'stubs' | 'exe'. */
  output: 'lib' | 'dev' | 'bin' | 'out' | 'stubs' | 'exe';
  pkg: string;
  /** The part of `suffix` that the mapping consumes. */
  consumed: string;
  /** Text to put after the new interpolation instead of `consumed` ('' for getExe'). */
  replacementSuffix: string;
  /** For `exe`: the program name. */
  program?: string;
}

const LIB_FILE = /^\/(lib64|lib)\/(lib[A-Za-z0-9_+-]+)\.(so|a)([.0-9]*)/;

export function mapToolkitPath(suffix: string, libsByEvidence: (text: string) => string | undefined): PathMapping | undefined {
  let m: RegExpExecArray | null;
  if ((m = /^\/bin\/([A-Za-z0-9_.+-]+)/.exec(suffix))) {
    const program = m[1]!;
    const tool = TOOLS.find((t) => t.evidence.test(program)) ?? (program === 'nvcc' ? TOOLS[0] : undefined);
    if (!tool) return undefined;
    return { output: 'exe', pkg: tool.name, consumed: m[0], replacementSuffix: '', program };
  }
  if ((m = /^\/bin(?=$|[/:"'\s])/.exec(suffix))) return { output: 'bin', pkg: 'cuda_nvcc', consumed: m[0], replacementSuffix: '/bin' };
  if ((m = /^\/(lib64|lib)\/stubs/.exec(suffix))) {
    const rest = suffix.slice(m[0].length);
    if (/^\/libnvidia-ml/.test(rest)) return { output: 'stubs', pkg: 'cuda_nvml_dev', consumed: m[0], replacementSuffix: '/lib/stubs' };
    return { output: 'stubs', pkg: 'cuda_cudart', consumed: m[0], replacementSuffix: '/lib/stubs' };
  }
  if ((m = LIB_FILE.exec(suffix))) {
    const pkg = libsByEvidence(m[2]!);
    if (!pkg) return undefined;
    return { output: 'lib', pkg, consumed: `/${m[1]}`, replacementSuffix: '/lib' };
  }
  if ((m = /^\/include\/([A-Za-z0-9_./+-]+)/.exec(suffix))) {
    const pkg = libsByEvidence(m[1]!) ?? (/^(crt\/|nvPTXCompiler|fatbinary_section)/.test(m[1]!) ? 'cuda_nvcc' : undefined);
    if (!pkg) return undefined;
    return { output: 'dev', pkg, consumed: '/include', replacementSuffix: '/include' };
  }
  // the bare include folder (`-I${cudatoolkit}/include`): the runtime's headers; the libraries'
  // headers reach the compiler through buildInputs
  if ((m = /^\/include(?=$|[:"'\s])/.exec(suffix))) return { output: 'dev', pkg: 'cuda_cudart', consumed: m[0], replacementSuffix: '/include' };
  if ((m = /^\/nvvm(?=$|[/:"'\s])/.exec(suffix))) return { output: 'out', pkg: 'cuda_nvcc', consumed: m[0], replacementSuffix: '/nvvm' };
  if ((m = /^\/extras\/CUPTI\/(lib64|lib)(?=$|[/:"'\s])/.exec(suffix))) return { output: 'lib', pkg: 'cuda_cupti', consumed: m[0], replacementSuffix: '/lib' };
  if ((m = /^\/extras\/CUPTI\/include(?=$|[/:"'\s])/.exec(suffix))) return { output: 'dev', pkg: 'cuda_cupti', consumed: m[0], replacementSuffix: '/include' };
  return undefined;
}
