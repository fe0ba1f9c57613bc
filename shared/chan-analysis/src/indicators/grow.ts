/** Capacity doubling for the struct-of-arrays indicator columns (amortised O(1) append, no object per bar). */
export function grown(a: Float64Array<ArrayBuffer>, minCapacity: number): Float64Array<ArrayBuffer> {
  if (a.length >= minCapacity) return a;
  let cap = a.length < 64 ? 64 : a.length;
  while (cap < minCapacity) cap *= 2;
  const b = new Float64Array(cap);
  b.set(a);
  return b;
}
