/**
 * Adding packages to a derivation's input lists (`buildInputs`, `nativeBuildInputs`, …) the way
 * a maintainer does, for a transform that moved a package out of one list and must put what it
 * stands for into a sibling: into the list of the same condition when the value has one, else as
 * a new `lib.optionals cond [ … ]` operand, or as a new binding made of one operand per
 * condition. Both CUDA transforms add to sibling lists through these; a user's transform can too
 * (`import { nixpkgs } from 'nixshift'`).
 */
import type { EditBuilder } from '../edit/builder.js';
import { bindingsOf, type BindingInfo, listElements, listParts } from '../nix/syntax.js';
import type { SyntaxNode } from '../nix/tree.js';

/** The binding `attr = …;` directly in an attrset (a one-name path), if there is one. */
export function attrBinding(source: string, attrset: SyntaxNode, attr: string): BindingInfo | undefined {
  return bindingsOf(source, attrset).find((b) => b.path.length === 1 && b.path[0] === attr);
}

/** The binding `attr = …;` beside `binding` in the same attrset (it may be `binding` itself). */
export function siblingBinding(source: string, binding: SyntaxNode, attr: string): BindingInfo | undefined {
  const attrset = binding.parent?.parent;
  return attrset ? attrBinding(source, attrset, attr) : undefined;
}

/** Packages to add under conditions (`[]`: unconditionally). */
export interface InputPart {
  elements: string[];
  conditions: string[];
}

/**
 * A list the transform rewrites at the end in one edit (`replacements`: element id → the texts
 * that replace it). What goes into such a list must join its plan, not be a second edit.
 */
export interface ListPlan {
  list: SyntaxNode;
  replacements: Map<number, string[]>;
}

export interface InputLayout {
  /** `lib.optionals cond ` for conditions ('' for none): see optionalsPrefix. */
  prefix(conditions: readonly string[]): string;
  /** The indentation of the binding's line. */
  indent: string;
}

/**
 * The operands of a new input list made of parts (see orderedParts; `key` tells one package
 * however it is named). `firstColumn` is where the first operand starts on its line.
 */
export function inputListOperands(edit: Pick<EditBuilder, 'listText'>, parts: readonly InputPart[], layout: InputLayout & { firstColumn: number; key(element: string): string }): string[] {
  return orderedParts(parts, layout.key).map((x, i) => {
    const cond = layout.prefix(x.conditions);
    return `${cond}${edit.listText(x.elements, layout.indent, (i === 0 ? layout.firstColumn : layout.indent.length + 3) + cond.length)}`;
  });
}

/**
 * Parts in the order they are written: unconditional first (then by number of conditions), what
 * is there unconditionally not repeated under a condition (by `key`), empty parts left out.
 */
export function orderedParts(parts: readonly InputPart[], key: (element: string) => string): InputPart[] {
  const always = new Set(parts.filter((x) => x.conditions.length === 0).flatMap((x) => x.elements.map(key)));
  return parts
    .map((x) => ({ ...x, elements: x.conditions.length === 0 ? x.elements : x.elements.filter((e) => !always.has(key(e))) }))
    .filter((x) => x.elements.length > 0)
    .sort((a, b) => a.conditions.length - b.conditions.length);
}

/** A new binding `attr = <operands>;` ('' when no part has an element). */
export function newInputBinding(edit: Pick<EditBuilder, 'listText'>, attr: string, parts: readonly InputPart[], layout: InputLayout & { key(element: string): string; before?: string }): string {
  const before = layout.before ?? '';
  const operands = inputListOperands(edit, parts, { ...layout, firstColumn: layout.indent.length + attr.length + 3 });
  return operands.length === 0 ? '' : `${attr} = ${before}${operands.join(' ++ ')};`;
}

/**
 * Put `added` into the list of `value` that has exactly these conditions (`[ … ] ++
 * lib.optionals c [ … ]`): into its plan after its last element when the list is rewritten at
 * the end, else as new elements. False when the value has no list of these conditions.
 */
export function addToListOfCondition(edit: EditBuilder, source: string, value: SyntaxNode, conditions: readonly string[], added: readonly string[], plans: ReadonlyMap<number, ListPlan>): boolean {
  const same = listParts(source, value).find((part) => part.conditions.join('&&') === conditions.join('&&'));
  if (!same) return false;
  if (added.length === 0) return true;
  const plan = plans.get(same.list.id);
  const last = plan ? listElements(plan.list).at(-1) : undefined;
  // (the last element as another rule rewrote it, when one did)
  if (plan && last) plan.replacements.set(last.id, [...(plan.replacements.get(last.id) ?? [edit.takeEdited(last)]), ...added]);
  else edit.addListElements(same.list, [...added]);
  return true;
}

/** A new operand `lib.optionals cond [ … ]` (or `[ … ]`) holding `added`, for the value of a binding. */
export function inputOperand(edit: Pick<EditBuilder, 'listText'>, conditions: readonly string[], added: string[], layout: InputLayout): string {
  const cond = layout.prefix(conditions);
  return `${cond}${edit.listText(added, layout.indent, layout.indent.length + 3 + cond.length)}`;
}

/**
 * Append operands to a binding's value (`value ++ a ++ b`). A value holding a list that is
 * rewritten at the end (a plan) is not laid out anew: the operands follow it on its last line.
 */
export function appendInputOperands(edit: EditBuilder, b: { node: SyntaxNode; value: SyntaxNode }, operands: readonly string[], plans: ReadonlyMap<number, ListPlan>): void {
  if (operands.length === 0) return;
  const text = operands.join(' ++ ');
  const planned = [...plans.values()].some((p) => p.list.startIndex >= b.value.startIndex && p.list.endIndex <= b.value.endIndex);
  if (planned) edit.insertAt(b.value.endIndex, ` ++ ${text}`);
  else edit.appendOperand(b.node, b.value, text);
}
