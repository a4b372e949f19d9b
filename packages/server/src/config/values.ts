// Number syntax as Java's Integer.parseInt / Long.parseLong accept it (optional sign, decimal
// digits only: no spaces, suffixes, hex or fractions), so a zoo.cfg ZooKeeper rejects is rejected
// here too.

const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** A Java int, or undefined when Integer.parseInt would throw. */
export function parseJavaInt(text: string): number | undefined {
  const value = parseJavaInteger(text, INT_MIN, INT_MAX);
  return value === undefined ? undefined : Number(value);
}

/** A Java long, or undefined when Long.parseLong would throw. */
export function parseJavaLong(text: string): bigint | undefined {
  return parseJavaInteger(text, LONG_MIN, LONG_MAX);
}

function parseJavaInteger(text: string, min: bigint, max: bigint): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const value = BigInt(text);
  return value < min || value > max ? undefined : value;
}

/** A Java double as Double.parseDouble reads plain decimal text (no hex floats, no NaN). */
export function parseJavaDouble(text: string): number | undefined {
  if (!/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?[dDfF]?$/.test(text)) return undefined;
  return Number(text.replace(/[dDfF]$/, ""));
}

/** True for the addresses that mean "every interface". */
export function isWildcardAddress(host: string): boolean {
  const h = host.toLowerCase();
  return h === "0.0.0.0" || h === "::" || h === "0:0:0:0:0:0:0:0" || h === "[::]";
}
