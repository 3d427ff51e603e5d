/**
 * Prints the generator's AST as Nix source: a node marked multi-line is laid out like nixfmt,
 * the others compactly (inline lists, attrsets and formals), formals in any `FormalsStyle`
 * (trailing, leading or no trailing commas). It adds the parentheses Nix needs (application
 * arguments, a literal before `.x`), and a `#` comment in a node makes the node multi-line, since
 * a line comment needs the line break after it.
 */
import type { Bind, Expr, Formal, Param } from './ast.js';

const INDENT = '  ';

function isAtom(e: Expr): boolean {
  switch (e.k) {
    case 'id':
    case 'lit':
    case 'str':
    case 'istr':
    case 'list':
    case 'attrs':
    case 'paren':
      return true;
    case 'sel':
      return e.or === undefined;
    default:
      return false;
  }
}

/** `#` comments need a line break after them; inline layouts turn them into block comments. */
function inlineComment(c: string): string {
  return c.startsWith('#') ? `/*${c.slice(1).replace(/\*\//g, '* /')} */` : c;
}

function hasLineComment(cs: readonly (string | undefined)[]): boolean {
  return cs.some((c) => c !== undefined && c.startsWith('#'));
}

export class Printer {
  print(e: Expr, ind: string): string {
    switch (e.k) {
      case 'id':
        return e.name;
      case 'lit':
        return e.text;
      case 'str':
        return `"${e.parts.map((p) => (typeof p === 'string' ? p : `\${${this.print(p, ind)}}`)).join('')}"`;
      case 'istr': {
        const inner = ind + INDENT;
        const lines = e.lines.map((l) => {
          const text = l.map((p) => (typeof p === 'string' ? p : `\${${this.print(p, inner)}}`)).join('');
          return text === '' ? '' : inner + text;
        });
        return `''\n${lines.join('\n')}\n${ind}''`;
      }
      case 'sel': {
        // a path or number followed by `.x` would be read as one literal
        const base = isAtom(e.base) && e.base.k !== 'lit' ? this.print(e.base, ind) : `(${this.print(e.base, ind)})`;
        const s = `${base}.${e.path.join('.')}`;
        if (!e.or) return s;
        return `${s} or ${isAtom(e.or) ? this.print(e.or, ind) : `(${this.print(e.or, ind)})`}`;
      }
      case 'list':
        return this.list(e, ind);
      case 'attrs':
        return this.attrs(e, ind);
      case 'let': {
        const ml = e.ml || e.binds.some((b) => hasLineComment([...b.before, b.after, b.k === 'bind' ? b.mid : undefined]));
        if (!ml) return `let ${e.binds.map((b) => this.bind(b, ind, false)).join(' ')} in ${this.print(e.body, ind)}`;
        const inner = ind + INDENT;
        const bs = e.binds.map((b) => this.bindMl(b, inner)).join('');
        return `let\n${bs}${ind}in\n${ind}${this.print(e.body, ind)}`;
      }
      case 'with':
        return `with ${this.print(e.env, ind)};${e.ml ? `\n${ind}` : ' '}${this.print(e.body, ind)}`;
      case 'assert':
        return `assert ${this.print(e.cond, ind)};\n\n${ind}${this.print(e.body, ind)}`;
      case 'app': {
        const fn = e.fn.k === 'app' || isAtom(e.fn) ? this.print(e.fn, ind) : `(${this.print(e.fn, ind)})`;
        return [fn, ...e.args.map((a) => (isAtom(a) ? this.print(a, ind) : `(${this.print(a, ind)})`))].join(' ');
      }
      case 'fn':
        return `${this.param(e.param, ind)}:${e.ml ? `\n\n${ind}` : ' '}${this.print(e.body, ind)}`;
      case 'if':
        if (e.ml) {
          const inner = ind + INDENT;
          return `if ${this.print(e.c, ind)} then\n${inner}${this.print(e.t, inner)}\n${ind}else\n${inner}${this.print(e.e, inner)}`;
        }
        return `if ${this.print(e.c, ind)} then ${this.print(e.t, ind)} else ${this.print(e.e, ind)}`;
      case 'op': {
        const side = (x: Expr): string => (isAtom(x) || x.k === 'app' ? this.print(x, ind) : `(${this.print(x, ind)})`);
        return `${side(e.l)}${e.ml ? `\n${ind}` : ' '}${e.op} ${side(e.r)}`;
      }
      case 'not':
        return `!${isAtom(e.e) ? this.print(e.e, ind) : `(${this.print(e.e, ind)})`}`;
      case 'has':
        return `${isAtom(e.e) && e.e.k !== 'lit' ? this.print(e.e, ind) : `(${this.print(e.e, ind)})`} ? ${e.path.join('.')}`;
      case 'paren':
        if (e.ml) {
          const inner = ind + INDENT;
          return `(\n${inner}${this.print(e.e, inner)}\n${ind})`;
        }
        return `(${this.print(e.e, ind)})`;
    }
  }

  private list(e: Extract<Expr, { k: 'list' }>, ind: string): string {
    const ml = e.ml || e.items.some((i) => hasLineComment([...i.before, i.after])) || (e.inner !== undefined && e.inner.startsWith('#'));
    const item = (x: Expr, at: string): string => (isAtom(x) ? this.print(x, at) : `(${this.print(x, at)})`);
    if (e.items.length === 0) {
      if (e.inner === undefined) return '[ ]';
      if (!ml) return `[ ${e.inner} ]`;
      return `[\n${ind}${INDENT}${e.inner}\n${ind}]`;
    }
    if (!ml) {
      const parts = e.items.map((i) => [...i.before.map(inlineComment), item(i.e, ind), ...(i.after ? [inlineComment(i.after)] : [])].join(' '));
      return `[ ${parts.join(' ')} ]`;
    }
    const inner = ind + INDENT;
    const lines = e.items.map((i) => `${i.before.map((c) => `${inner}${c}\n`).join('')}${inner}${item(i.e, inner)}${i.after ? ` ${i.after}` : ''}\n`);
    return `[\n${lines.join('')}${e.inner !== undefined ? `${inner}${e.inner}\n` : ''}${ind}]`;
  }

  private attrs(e: Extract<Expr, { k: 'attrs' }>, ind: string): string {
    const open = e.rec ? 'rec {' : '{';
    const ml = e.ml || e.binds.some((b) => hasLineComment([...b.before, b.after, b.k === 'bind' ? b.mid : undefined])) || (e.inner !== undefined && e.inner.startsWith('#'));
    if (e.binds.length === 0) {
      if (e.inner === undefined) return `${open} }`;
      if (!ml) return `${open} ${e.inner} }`;
      return `${open}\n${ind}${INDENT}${e.inner}\n${ind}}`;
    }
    if (!ml) return `${open} ${e.binds.map((b) => this.bind(b, ind, false)).join(' ')} }`;
    const inner = ind + INDENT;
    return `${open}\n${e.binds.map((b) => this.bindMl(b, inner)).join('')}${e.inner !== undefined ? `${inner}${e.inner}\n` : ''}${ind}}`;
  }

  private bindMl(b: Bind, ind: string): string {
    return `${b.before.map((c) => `${ind}${c}\n`).join('')}${ind}${this.bind(b, ind, true)}${b.after ? ` ${b.after}` : ''}\n`;
  }

  private bind(b: Bind, ind: string, ml: boolean): string {
    const pre = ml ? '' : b.before.map((c) => `${inlineComment(c)} `).join('');
    const post = !ml && b.after ? ` ${inlineComment(b.after)}` : '';
    if (b.k === 'inherit') {
      const from = b.from ? ` (${this.print(b.from, ind)})` : '';
      return `${pre}inherit${from} ${b.names.join(' ')};${post}`;
    }
    if (b.mid !== undefined) {
      if (ml && b.mid.startsWith('#')) {
        const inner = ind + INDENT;
        return `${pre}${b.path.join('.')} = ${b.mid}\n${inner}${this.print(b.value, inner)};${post}`;
      }
      return `${pre}${b.path.join('.')} = ${inlineComment(b.mid)} ${this.print(b.value, ind)};${post}`;
    }
    return `${pre}${b.path.join('.')} = ${this.print(b.value, ind)};${post}`;
  }

  private param(p: Param, ind: string): string {
    if (p.k === 'id') return p.name;
    const wrap = (body: string): string => (p.at ? (p.at.before ? `${p.at.name}@${body}` : `${body}@${p.at.name}`) : body);
    const all: Formal[] = p.formals;
    const hasComments = all.some((f) => hasLineComment([...f.before, f.after])) || (p.inner !== undefined && p.inner.startsWith('#'));
    let style = p.style;
    if (hasComments && (style === 'inline' || style === 'inline-trailing')) style = 'nixfmt';
    const formal = (f: Formal, at: string): string => (f.def ? `${f.name} ? ${this.print(f.def, at)}` : f.name);
    if (all.length === 0 && !p.ellipsis) return wrap(p.inner !== undefined && !hasComments ? `{ ${p.inner} }` : '{ }');
    if (style === 'inline' || style === 'inline-trailing') {
      const parts = all.map((f) => [...f.before.map(inlineComment), formal(f, ind), ...(f.after ? [inlineComment(f.after)] : [])].join(' '));
      if (p.ellipsis) parts.push('...');
      const trailing = style === 'inline-trailing' && !p.ellipsis && all.length > 0 ? ',' : '';
      return wrap(`{ ${parts.join(', ')}${trailing} }`);
    }
    const inner = ind + INDENT;
    if (style === 'leading') {
      // { a
      // , b ? x
      // , ...
      // }
      let out = '{';
      all.forEach((f, i) => {
        if (i === 0) out += f.before.length > 0 ? `\n${f.before.map((c) => `${inner}${c}\n`).join('')}${inner}` : ' ';
        else out += `${f.before.map((c) => `${inner}${c}\n`).join('')}${ind}, `;
        out += `${formal(f, inner)}${f.after ? ` ${f.after}` : ''}\n`;
      });
      if (p.ellipsis) out += all.length === 0 ? ' ...\n' : `${ind}, ...\n`;
      if (p.inner !== undefined) out += `${inner}${p.inner}\n`;
      return wrap(`${out}${ind}}`);
    }
    // nixfmt: one formal per line, trailing commas (or none after the last one)
    const rows: string[] = [];
    all.forEach((f, i) => {
      for (const c of f.before) rows.push(`${inner}${c}\n`);
      const last = i === all.length - 1 && !p.ellipsis;
      const comma = last && style === 'nixfmt-no-trailing' ? '' : ',';
      rows.push(`${inner}${formal(f, inner)}${comma}${f.after ? ` ${f.after}` : ''}\n`);
    });
    if (p.ellipsis) rows.push(`${inner}...\n`);
    if (p.inner !== undefined) rows.push(`${inner}${p.inner}\n`);
    return wrap(`{\n${rows.join('')}${ind}}`);
  }
}
