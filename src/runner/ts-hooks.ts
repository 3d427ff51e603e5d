/**
 * Module hooks (node:module register) that compile a user's TypeScript transform on load.
 * Only `.ts`/`.mts` files outside node_modules are touched; types are stripped, not checked.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

interface LoadContext {
  format?: string;
}
type NextLoad = (url: string, context: LoadContext) => Promise<{ format: string; source: string | Buffer }>;

export async function load(url: string, context: LoadContext, nextLoad: NextLoad): Promise<{ format: string; source: string | Buffer; shortCircuit?: boolean }> {
  if (url.startsWith('file:') && /\.m?ts$/.test(url) && !url.includes('/node_modules/')) {
    const ts = require('typescript') as typeof import('typescript');
    const file = fileURLToPath(url);
    const source = await readFile(file, 'utf8');
    const out = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false, inlineSourceMap: true },
    });
    return { format: 'module', source: out.outputText, shortCircuit: true };
  }
  return nextLoad(url, context);
}
