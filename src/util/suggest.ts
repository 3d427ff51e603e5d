/**
 * "Did you mean …?": the closest known name to a mistyped one. Edit distance with adjacent
 * transpositions (optimal string alignment), written here: a dozen lines, not worth a dependency.
 */

export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The known name closest to `name`, when it is close enough to be a typo (or `name` is a prefix of it). */
export function closest(name: string, known: Iterable<string>): string | undefined {
  const list = [...known];
  const completions = name.length >= 3 ? list.filter((k) => k !== name && k.toLowerCase().startsWith(name.toLowerCase())) : [];
  if (completions.length > 0) return completions.sort((a, b) => a.length - b.length)[0];
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of list) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestD) [best, bestD] = [k, d];
  }
  if (best === undefined) return undefined;
  const limit = Math.max(1, Math.min(3, Math.floor(best.length / 4)));
  return bestD <= limit ? best : undefined;
}

/** ` (did you mean "x"?)` or ''. */
export function didYouMean(name: string, known: Iterable<string>): string {
  const c = closest(name, known);
  return c !== undefined && c !== name ? ` (did you mean "${c}"?)` : '';
}
