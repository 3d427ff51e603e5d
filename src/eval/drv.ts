/**
 * Reading a store derivation (`/nix/store/…-foo-1.0.drv`): its ATerm text
 * `Derive([outputs],[inputDrvs],[inputSrcs],system,builder,[args],[env])`, for the direct
 * inputs of a package before and after a change (`--verify eval`).
 *
 * Written here rather than taken from npm: the format is a dozen lines of grammar (strings with
 * `\` escapes, lists, tuples), and the packages that parse it are unmaintained or pull a Nix
 * binding in.
 */

export interface Derivation {
  outputs: { name: string; path: string }[];
  /** Input derivations with the outputs taken of each. */
  inputDrvs: { path: string; outputs: string[] }[];
  inputSrcs: string[];
  system: string;
  builder: string;
  args: string[];
  env: Record<string, string>;
}

type Term = string | Term[];

/** Parse the text of a `.drv` file; throws on anything else. */
export function parseDerivation(text: string): Derivation {
  let at = 0;
  const fail = (what: string): never => {
    throw new Error(`not a derivation: ${what} at offset ${at}`);
  };
  const expect = (c: string): void => {
    if (text[at] !== c) fail(`expected \`${c}\``);
    at++;
  };
  const str = (): string => {
    expect('"');
    let out = '';
    for (;;) {
      const c = text[at++];
      if (c === undefined) fail('unterminated string');
      if (c === '"') return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = text[at++];
      out += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : (e ?? '');
    }
  };
  const seq = (open: string, close: string): Term[] => {
    expect(open);
    const items: Term[] = [];
    while (text[at] !== close) {
      if (items.length > 0) expect(',');
      items.push(term());
    }
    at++;
    return items;
  };
  const term = (): Term => (text[at] === '"' ? str() : text[at] === '[' ? seq('[', ']') : text[at] === '(' ? seq('(', ')') : fail('unexpected character'));
  if (!text.startsWith('Derive(')) fail('no `Derive(`');
  at = 'Derive'.length;
  const parts = seq('(', ')');
  if (at !== text.trimEnd().length || parts.length !== 7) fail('unexpected shape');
  const list = (t: Term | undefined): Term[] => (Array.isArray(t) ? t : fail('expected a list'));
  const s = (t: Term | undefined): string => (typeof t === 'string' ? t : fail('expected a string'));
  return {
    outputs: list(parts[0]).map((o) => ({ name: s(list(o)[0]), path: s(list(o)[1]) })),
    inputDrvs: list(parts[1]).map((i) => ({ path: s(list(i)[0]), outputs: list(list(i)[1]).map(s) })),
    inputSrcs: list(parts[2]).map(s),
    system: s(parts[3]),
    builder: s(parts[4]),
    args: list(parts[5]).map(s),
    env: Object.fromEntries(list(parts[6]).map((kv) => [s(list(kv)[0]), s(list(kv)[1])])),
  };
}

/** The name of a store path: `/nix/store/<hash>-cuda_nvcc-11.8.89.drv` → `cuda_nvcc-11.8.89`. */
export function storeName(path: string): string {
  return path.replace(/^.*\/[0-9a-z]{32}-/, '').replace(/\.drv$/, '');
}
