/**
 * The small Nix AST the generator builds and the printer prints. It carries layout choices
 * (single- or multi-line, formals style) and comments (before / after an element, between `=`
 * and a value, inside an empty list or attrset), so that one tree yields the odd layouts the
 * transforms must keep. `Scope` tracks what is bound where, so a generated file can be closed
 * over the formals of its top function. The short constructors keep the generators readable.
 */

export type StrPart = string | Expr; // a string: raw source text (already escaped)

export type Expr =
  | { k: 'id'; name: string }
  | { k: 'lit'; text: string }
  | { k: 'str'; parts: StrPart[] }
  | { k: 'istr'; lines: StrPart[][] }
  | { k: 'sel'; base: Expr; path: string[]; or?: Expr }
  | { k: 'list'; items: Item[]; ml: boolean; inner?: string }
  | { k: 'attrs'; rec: boolean; binds: Bind[]; ml: boolean; inner?: string }
  | { k: 'let'; binds: Bind[]; body: Expr; ml: boolean }
  | { k: 'with'; env: Expr; body: Expr; ml: boolean }
  | { k: 'assert'; cond: Expr; body: Expr }
  | { k: 'app'; fn: Expr; args: Expr[] }
  | { k: 'fn'; param: Param; body: Expr; ml: boolean }
  | { k: 'if'; c: Expr; t: Expr; e: Expr; ml: boolean }
  | { k: 'op'; op: string; l: Expr; r: Expr; ml: boolean }
  | { k: 'not'; e: Expr }
  | { k: 'has'; e: Expr; path: string[] }
  | { k: 'paren'; e: Expr; ml: boolean };

export interface Item {
  e: Expr;
  before: string[];
  after?: string;
}

export type Bind =
  | { k: 'bind'; path: string[]; value: Expr; before: string[]; after?: string; mid?: string }
  | { k: 'inherit'; from?: Expr; names: string[]; before: string[]; after?: string };

export interface Formal {
  name: string;
  def?: Expr;
  before: string[];
  after?: string;
}

export type Param =
  | { k: 'id'; name: string }
  | { k: 'formals'; formals: Formal[]; ellipsis: boolean; at?: { name: string; before: boolean }; style: FormalsStyle; inner?: string };

export type FormalsStyle = 'nixfmt' | 'inline' | 'inline-trailing' | 'leading' | 'nixfmt-no-trailing';

export interface Scope {
  bound: ReadonlySet<string>;
  /** Under a `with`: unknown names are not free for Nix. */
  withs: number;
}

export const id = (name: string): Expr => ({ k: 'id', name });
export const lit = (text: string): Expr => ({ k: 'lit', text });
export const sel = (base: Expr, ...path: string[]): Expr => ({ k: 'sel', base, path });
export const app = (fn: Expr, ...args: Expr[]): Expr => ({ k: 'app', fn, args });
export const str = (...parts: StrPart[]): Expr => ({ k: 'str', parts });
export const item = (e: Expr): Item => ({ e, before: [] });
export const bind = (path: string[], value: Expr): Bind => ({ k: 'bind', path, value, before: [] });
