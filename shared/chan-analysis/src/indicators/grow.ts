/** Capacity doubling for the struct-of-arrays indicator columns (amortised O(1) append, no object per bar). */
export function grown(a: Float64Array<ArrayBuffer>, minCapacity: number): Float64Array<ArrayBuffer> {
  if (a.length >= minCapacity) return a;
  let cap = a.length < 64 ? 64 : a.length;
  while (cap < minCapacity) cap *= 2;
  const b = new Float64Array(cap);
  b.set(a);
  return b;
}

/** `a` with room for exactly `capacity` values when it has less (a caller that knows the series length). */
export function reserved<T extends Float64Array<ArrayBuffer> | Int32Array<ArrayBuffer>>(a: T, capacity: number): T {
  if (a.length >= capacity) return a;
  const b = (a instanceof Float64Array ? new Float64Array(capacity) : new Int32Array(capacity)) as T;
  b.set(a);
  return b;
}
