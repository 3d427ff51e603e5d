/**
 * Finding and loading transforms: built-ins by name (`transforms/<name>/`), a user's module by
 * path (`./my-transform.js`, `.mjs`, `.ts`). TypeScript transforms are compiled on load by a
 * module hook (typescript's transpileModule), so relative imports between .ts files work too.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { register } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../paths.js';
import { asTransform, type Transform } from '../transform.js';
import { didYouMean } from '../util/suggest.js';

export { PACKAGE_ROOT };

const here = dirname(fileURLToPath(import.meta.url));
/** Folder with the compiled (or, under vitest, source) built-in transforms. */
function builtinDir(): string {
  const fromDist = here.includes(`${join('dist', 'src')}`);
  return fromDist ? join(PACKAGE_ROOT, 'dist', 'transforms') : join(PACKAGE_ROOT, 'transforms');
}

function builtinModule(name: string): string | undefined {
  const dir = join(builtinDir(), name);
  for (const f of ['index.js', 'index.ts']) if (existsSync(join(dir, f))) return join(dir, f);
  return undefined;
}

export function builtinNames(): string[] {
  const dir = builtinDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && builtinModule(d.name))
    .map((d) => d.name)
    .sort();
}

/** The explanation of a built-in transform (its README.md), if any. */
export function builtinExplanation(name: string): string | undefined {
  const file = join(PACKAGE_ROOT, 'transforms', name, 'README.md');
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

export function isPathSpec(spec: string): boolean {
  return spec.startsWith('.') || spec.startsWith('/') || /\.(m?js|c?js|m?ts)$/.test(spec) || spec.includes('/') || spec.includes('\\');
}

let tsHookRegistered = false;
function registerTsHook(): void {
  if (tsHookRegistered) return;
  tsHookRegistered = true;
  const hooks = join(here, 'ts-hooks.js');
  const hooksTs = join(here, 'ts-hooks.ts');
  register(pathToFileURL(existsSync(hooks) ? hooks : hooksTs).href);
}

export class TransformLoadError extends Error {}

/** Resolve a `-t` argument to a module file (throws TransformLoadError with a clear reason). */
export function resolveTransformSpec(spec: string, cwd = process.cwd()): string {
  if (!isPathSpec(spec)) {
    const mod = builtinModule(spec);
    if (!mod) {
      throw new TransformLoadError(`unknown transform "${spec}"${didYouMean(spec, builtinNames())} (built-in: ${builtinNames().join(', ') || 'none'}; a file path must start with ./ or /)`);
    }
    return mod;
  }
  const file = resolve(cwd, spec);
  if (!existsSync(file)) throw new TransformLoadError(`transform file not found: ${spec}`);
  return file;
}

export async function loadTransformFile(file: string): Promise<Transform> {
  const ext = extname(file);
  // From source (under vitest) .ts files load natively; the compiled CLI needs the hook.
  const runningFromSource = import.meta.url.endsWith('.ts');
  if ((ext === '.ts' || ext === '.mts') && !runningFromSource) registerTsHook();
  let mod: unknown;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    throw new TransformLoadError(`cannot load transform ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    return asTransform(mod, file);
  } catch (err) {
    throw new TransformLoadError((err as Error).message);
  }
}

export async function loadTransform(spec: string, cwd = process.cwd()): Promise<Transform> {
  return loadTransformFile(resolveTransformSpec(spec, cwd));
}
