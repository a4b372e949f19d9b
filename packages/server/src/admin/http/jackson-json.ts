// JSON as ZooKeeper's AdminServer writes it: Jackson's default pretty printer (two-space indent,
// `"key" : value`, arrays on one line as `[ a, b ]`, empty containers as `[ ]` and `{ }`), Java
// longs as exact integers (session ids exceed 2^53, so they travel as bigint) and Java doubles as
// Double.toString prints them (`0.0`, `1.5714`). Tools parse it as plain JSON; the layout only
// matters to people diffing the two servers' answers by eye.

import { JavaDouble, javaDouble } from "../java-format.js";

export { JavaDouble };

export type JsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | JavaDouble
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

export function jacksonJson(value: JsonValue): string {
  return write(value, "");
}

function write(value: JsonValue, indent: string): string {
  if (value === null) return "null";
  if (value instanceof JavaDouble) return javaDouble(value.value);
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return value.toString();
    case "number":
      // Java longs and ints: a fractional value here is a caller's bug (it should be a JavaDouble).
      if (!Number.isInteger(value)) throw new Error(`admin JSON: ${value} is not a whole number`);
      return value.toString();
    case "string":
      return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    const items = value as readonly JsonValue[];
    if (items.length === 0) return "[ ]";
    return `[ ${items.map((v) => write(v, indent)).join(", ")} ]`;
  }
  const entries = Object.entries(value as { readonly [key: string]: JsonValue });
  if (entries.length === 0) return "{ }";
  const inner = `${indent}  `;
  const fields = entries.map(([k, v]) => `${inner}${JSON.stringify(k)} : ${write(v, inner)}`);
  return `{\n${fields.join(",\n")}\n${indent}}`;
}
