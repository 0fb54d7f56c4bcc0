// Source positions live only in `loc` fields; stripLoc removes them so trees
// can be deep-compared (round-trip tests) or serialized without positions.

export function stripLoc<T>(node: T): T {
  if (Array.isArray(node)) return node.map((n) => stripLoc(n)) as T;
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if (k === 'loc' || v === undefined) continue;
    out[k] = stripLoc(v);
  }
  return out as T;
}
