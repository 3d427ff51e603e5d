/** Binary searches over sorted number arrays. */

/** The first index whose value is >= `value` (`a.length` when none). */
export function lowerBound(a: readonly number[], value: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The last index whose value is <= `value`, for integer values (0 when none: `a[0]` is a floor, like a line start 0). */
export function floorIndex(a: readonly number[], value: number): number {
  return Math.max(0, lowerBound(a, value + 1) - 1);
}
