/**
 * `nixshift parse <file>`: the syntax tree a transform sees, one node per line with its field,
 * kind and place (1-based line:column, columns in code points, as findings give them), so an
 * author can see what to match (ast-grep's `--debug-query`, `tree-sitter parse`).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseNix } from '../nix/parser.js';
import { positionAt } from '../nix/position.js';
import type { SyntaxNode } from '../nix/tree.js';
import { EXIT_ERROR, EXIT_OK, UsageError, type Io } from './io.js';

export interface ParseFlags {
  /** Also the anonymous tokens (`{`, `=`, `;`, keywords). */
  all?: boolean;
}

const MAX_TEXT = 60;

/** One line of the tree: `field: kind [l:c-l:c] "text"` (the text for leaves only). */
function line(source: string, node: SyntaxNode, depth: number): string {
  const from = positionAt(source, node.startIndex);
  const to = positionAt(source, node.endIndex);
  const field = node.fieldName ? `${node.fieldName}: ` : '';
  const kind = node.isMissing ? `MISSING ${node.type}` : node.isNamed ? node.type : JSON.stringify(node.type);
  let text = '';
  if (node.childCount === 0 && node.isNamed) {
    const t = source.slice(node.startIndex, node.endIndex);
    text = ` ${JSON.stringify(t.length > MAX_TEXT ? `${t.slice(0, MAX_TEXT)}…` : t)}`;
  }
  return `${'  '.repeat(depth)}${field}${kind} [${from.line}:${from.column}-${to.line}:${to.column}]${text}`;
}

export async function parseCommand(file: string, flags: ParseFlags, io: Io): Promise<number> {
  const path = resolve(io.cwd, file);
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`parse: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const parsed = parseNix(source);
  const out: string[] = [];
  // iterative: a file nested thousands of levels deep prints without a deep stack
  const stack: [SyntaxNode, number][] = [[parsed.root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    out.push(line(source, node, depth));
    const children = flags.all ? node.children : node.children.filter((c) => c.isNamed || c.isMissing);
    for (let i = children.length - 1; i >= 0; i--) stack.push([children[i]!, depth + 1]);
  }
  io.stdout.write(`${out.join('\n')}\n`);
  if (parsed.syntaxError) {
    const e = parsed.syntaxError;
    io.stderr.write(`${file}:${e.line}:${e.column}: ${e.message}\n`);
    return EXIT_ERROR;
  }
  return EXIT_OK;
}
