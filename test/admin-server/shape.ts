// The shape of an AdminServer answer: its keys and value types, never its values, so a Paddock
// answer and a ZooKeeper answer to the same command can be compared.

/** Keys that are data (session ids, zxid times, paths, server ids), not field names. */
function isDataKey(key: string): boolean {
  return /^-?\d+$/.test(key) || key.startsWith("/");
}

export type Shape = string | { [key: string]: Shape } | Shape[];

export function shapeOf(value: unknown): Shape {
  if (value === null) return "null";
  if (Array.isArray(value)) {
    if (value.length === 0) return "empty-array";
    // Elements of one list share one shape; the first stands for them all.
    return [shapeOf(value[0])];
  }
  if (typeof value === "object") {
    const out: { [key: string]: Shape } = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[isDataKey(k) ? "<key>" : k] = shapeOf(v);
    }
    return out;
  }
  return typeof value;
}

/** Top-level keys of a shape, for set comparisons. */
export function keysOfShape(shape: Shape): string[] {
  return typeof shape === "object" && !Array.isArray(shape) ? Object.keys(shape).sort() : [];
}

/** The shape without the given top-level keys. */
export function withoutKeys(shape: Shape, keys: readonly string[]): Shape {
  if (typeof shape !== "object" || Array.isArray(shape)) return shape;
  const out: { [key: string]: Shape } = {};
  for (const [k, v] of Object.entries(shape)) if (!keys.includes(k)) out[k] = v;
  return out;
}

/** Sorted keys at every level, so two shapes compare regardless of field order. */
export function sortedShape(shape: Shape): Shape {
  if (typeof shape === "string") return shape;
  if (Array.isArray(shape)) return shape.map(sortedShape);
  const out: { [key: string]: Shape } = {};
  for (const k of Object.keys(shape).sort()) out[k] = sortedShape(shape[k]!);
  return out;
}
