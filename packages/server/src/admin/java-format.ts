// Numbers, addresses and dates rendered the way ZooKeeper's Java code prints them, for the
// four-letter words (Long.toHexString, Double.toString, InetSocketAddress, Date.toString).

import { javaHostAddress } from "../net/java-address.js";

/** Long.toHexString: two's complement for negatives, lower case, no padding. */
export function javaHex(value: number | bigint): string {
  return BigInt.asUintN(64, BigInt(value)).toString(16);
}

/** A value Java holds as a double: printed with a decimal point even when whole. */
export class JavaDouble {
  constructor(readonly value: number) {}
}

/** Double.toString for the values these outputs carry: `0.0`, `7.75`, `1.0E7`. */
export function javaDouble(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    const s = String(value);
    return s.includes(".") ? s : `${s}.0`;
  }
  const [mantissa = "0", exponent = "0"] = value.toExponential().split("e");
  const m = mantissa.includes(".") ? mantissa : `${mantissa}.0`;
  return `${m}E${Number(exponent)}`;
}

/**
 * ZooKeeper reports average latencies rounded to 4 decimals, HALF_UP on the decimal text of the
 * double (BigDecimal.valueOf), which is why this works on the string and not on value * 10^4.
 */
export function roundHalfUp4(value: number): number {
  const text = String(value);
  if (text.includes("e")) return Math.round(value * 10_000) / 10_000;
  const negative = text.startsWith("-");
  const [intPart = "0", fracPart = ""] = (negative ? text.slice(1) : text).split(".");
  if (fracPart.length <= 4) return value;
  let scaled = BigInt(intPart + fracPart.slice(0, 4));
  if (fracPart.charCodeAt(4) >= 0x35) scaled += 1n; // '5'..'9'
  const digits = scaled.toString().padStart(5, "0");
  const rounded = Number(`${digits.slice(0, -4)}.${digits.slice(-4)}`);
  return negative ? -rounded : rounded;
}

/**
 * InetSocketAddress.toString of a remote peer: `/127.0.0.1:37932`. IPv4-mapped IPv6 addresses
 * print as IPv4 (Java converts them); other IPv6 addresses in Java's uncompressed form and, as
 * recent JDKs do, in brackets.
 */
export function javaSocketAddress(ip: string, port: number): string {
  const host = javaHostAddress(ip);
  return host.includes(":") ? `/[${host}]:${port}` : `/${host}:${port}`;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Date.toString in UTC: `Sat Nov 21 07:44:46 UTC 2026`. */
export function javaDate(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, "0");
  return (
    `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`
  );
}
