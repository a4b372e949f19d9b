// The types a zoo.cfg value is read as: Java's number syntax, ZooKeeper's two spellings of a
// boolean, ports, paths. A value that does not fit is a ConfigError naming the entry; a value
// that ZooKeeper quietly corrects is corrected the same way, with a warning.

import type { ConfigEntry, KeyLocation } from "./entry.js";
import { ConfigError } from "./errors.js";
import { parseJavaDouble, parseJavaInt, parseJavaLong } from "./values.js";

const INT_MAX = 2 ** 31 - 1;
const INT_MIN = -(2 ** 31);

/** What reading a value may use besides the entry: its location and the warnings list. */
export interface ReadContext {
  where: KeyLocation;
  warn(text: string): void;
}

/** How one key's value is read; `read` throws ConfigError when the value does not fit. */
export interface ValueType<T> {
  read(entry: ConfigEntry, cx: ReadContext): T;
}

function readInt(e: ConfigEntry, cx: ReadContext, min: number, max: number): number {
  const n = parseJavaInt(e.value);
  if (n === undefined) throw new ConfigError(`expected an integer, got "${e.value}"`, cx.where);
  if (n < min || n > max) {
    const range = max === INT_MAX ? `>= ${min}` : `in ${min}..${max}`;
    throw new ConfigError(`expected an integer ${range}, got ${n}`, cx.where);
  }
  return n;
}

/** A Java int in `min..max`. */
export function int(min: number, max = INT_MAX): ValueType<number> {
  return { read: (e, cx) => readInt(e, cx, min, max) };
}

/** Any Java int. */
export const anyInt: ValueType<number> = int(INT_MIN);

/** A Java long from `min` up to the largest safe integer. */
export function long(min: number): ValueType<number> {
  return {
    read(e, cx) {
      const n = parseJavaLong(e.value);
      if (n === undefined) throw new ConfigError(`expected an integer, got "${e.value}"`, cx.where);
      if (n < BigInt(min) || n > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new ConfigError(
          `expected an integer in ${min}..${Number.MAX_SAFE_INTEGER}, got ${n}`,
          cx.where,
        );
      }
      return Number(n);
    },
  };
}

/** Any int, raised to `min` with a warning, as ZooKeeper does for snapCount and snapRetainCount. */
export function intRaisedTo(min: number): ValueType<number> {
  return {
    read(e, cx) {
      const n = readInt(e, cx, INT_MIN, INT_MAX);
      if (n < min) cx.warn(`${n} is below the minimum ${min}; using ${min}`);
      return Math.max(min, n);
    },
  };
}

export const port: ValueType<number> = int(1, 65535);

/** A port, where 0 is how ZooKeeper spells "none". */
export const optionalPort: ValueType<number | undefined> = {
  read: (e, cx) => readInt(e, cx, 0, 65535) || undefined,
};

/** Java's Double.parseDouble. */
export const double: ValueType<number> = {
  read(e, cx) {
    const n = parseJavaDouble(e.value);
    if (n === undefined) throw new ConfigError(`expected a number, got "${e.value}"`, cx.where);
    return n;
  },
};

/** A double, where one above `max` is replaced by `fallback` with a warning. */
export function doubleAtMostElse(max: number, fallback: number): ValueType<number> {
  return {
    read(e, cx) {
      const n = double.read(e, cx);
      if (n <= max) return n;
      cx.warn(`${n} is above the maximum ${max}; using the default ${fallback}`);
      return fallback;
    },
  };
}

/** ZooKeeper's own booleans: true/false in any case, nothing else. */
export const bool: ValueType<boolean> = {
  read(e, cx) {
    const v = e.value.toLowerCase();
    if (v === "true") return true;
    if (v === "false") return false;
    throw new ConfigError(`Invalid option ${e.value} for ${e.key}. Choose 'true' or 'false.'`, cx.where);
  },
};

/** forceSync, skipACL, leaderServes: ZooKeeper compares with "yes"/"no"; true/false also accepted. */
export const yesNo: ValueType<boolean> = {
  read(e, cx) {
    const v = e.value.toLowerCase();
    if (v === "yes" || v === "true") return true;
    if (v === "no" || v === "false") return false;
    throw new ConfigError(`expected yes or no, got "${e.value}"`, cx.where);
  },
};

/** Any text, the empty string included. */
export const text: ValueType<string> = { read: (e) => e.value };

/** Text that `valid` accepts; otherwise `problem(value)` is the error's text. */
export function checkedText(
  valid: (value: string) => boolean,
  problem: (value: string) => string,
): ValueType<string> {
  return {
    read(e, cx) {
      if (!valid(e.value)) throw new ConfigError(problem(e.value), cx.where);
      return e.value;
    },
  };
}

export const nonEmpty: ValueType<string> = checkedText(
  (value) => value !== "",
  () => "expected a value, got an empty string",
);
