// A reader for the java.util.Properties text format, because zoo.cfg files written for ZooKeeper
// rely on its quirks (`key value` without `=`, `!` comments, backslash continuations, escapes).

import { ConfigError } from "./errors.js";

export interface PropertyEntry {
  /** The decoded key, before ZooKeeper's trim(). */
  key: string;
  /** The decoded value, before ZooKeeper's trim(): Properties keeps trailing whitespace. */
  value: string;
  /** 1-based physical line where the entry starts. */
  line: number;
}

const isBlank = (c: string | undefined): boolean => c === " " || c === "\t" || c === "\f";

/**
 * Every entry in file order, duplicates included (callers decide that the last one wins, as
 * Properties does). Throws ConfigError only for a malformed `\uXXXX` escape, which Java rejects.
 */
export function parseProperties(text: string, fileName: string): PropertyEntry[] {
  const entries: PropertyEntry[] = [];
  const length = text.length;
  let pos = 0;
  let lineNo = 1;

  const skipNewline = (): boolean => {
    if (pos >= length) return false;
    if (text[pos] === "\r" && text[pos + 1] === "\n") pos += 2;
    else pos += 1;
    lineNo += 1;
    return true;
  };

  while (pos < length) {
    const c = text[pos];
    if (isBlank(c)) {
      pos += 1;
      continue;
    }
    if (c === "\n" || c === "\r") {
      skipNewline();
      continue;
    }
    const startLine = lineNo;
    if (c === "#" || c === "!") {
      // A comment ends at its physical line even if it ends in a backslash.
      while (pos < length && text[pos] !== "\n" && text[pos] !== "\r") pos += 1;
      continue;
    }
    let logical = "";
    for (;;) {
      const segStart = pos;
      while (pos < length && text[pos] !== "\n" && text[pos] !== "\r") pos += 1;
      const segment = text.slice(segStart, pos);
      let trailingBackslashes = 0;
      while (
        trailingBackslashes < segment.length &&
        segment[segment.length - 1 - trailingBackslashes] === "\\"
      ) {
        trailingBackslashes += 1;
      }
      const hadNewline = skipNewline();
      if (trailingBackslashes % 2 === 0) {
        logical += segment;
        break;
      }
      logical += segment.slice(0, -1);
      if (!hadNewline) break;
      // Leading blanks of a continuation line are dropped; a blank continuation line ends the entry.
      while (pos < length && isBlank(text[pos])) pos += 1;
    }
    entries.push(splitEntry(logical, startLine, fileName));
  }
  return entries;
}

function splitEntry(logical: string, line: number, fileName: string): PropertyEntry {
  const limit = logical.length;
  let keyEnd = 0;
  let valueStart = limit;
  let sawSeparator = false;
  let escaped = false;
  while (keyEnd < limit) {
    const c = logical[keyEnd];
    if (!escaped && (c === "=" || c === ":")) {
      valueStart = keyEnd + 1;
      sawSeparator = true;
      break;
    }
    if (!escaped && isBlank(c)) {
      valueStart = keyEnd + 1;
      break;
    }
    escaped = c === "\\" ? !escaped : false;
    keyEnd += 1;
  }
  // `key = value`, `key : value` and `key value` all mean the same; only one `=`/`:` is eaten.
  while (valueStart < limit) {
    const c = logical[valueStart];
    if (!isBlank(c)) {
      if (!sawSeparator && (c === "=" || c === ":")) sawSeparator = true;
      else break;
    }
    valueStart += 1;
  }
  return {
    key: decodeEscapes(logical.slice(0, keyEnd), line, fileName),
    value: decodeEscapes(logical.slice(valueStart), line, fileName),
    line,
  };
}

function decodeEscapes(s: string, line: number, fileName: string): string {
  if (!s.includes("\\")) return s;
  let out = "";
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    i += 1;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = s[i];
    i += 1;
    switch (next) {
      case undefined:
        // A lone backslash at the very end of the file: Properties drops it.
        break;
      case "t":
        out += "\t";
        break;
      case "n":
        out += "\n";
        break;
      case "r":
        out += "\r";
        break;
      case "f":
        out += "\f";
        break;
      case "u": {
        const hex = s.slice(i, i + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          throw new ConfigError("Malformed \\uxxxx encoding.", { file: fileName, line });
        }
        out += String.fromCharCode(Number.parseInt(hex, 16));
        i += 4;
        break;
      }
      default:
        out += next;
    }
  }
  return out;
}

/** Java's String.trim(): strips every char <= U+0020, not only Unicode whitespace. */
export function javaTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 0x20) start += 1;
  while (end > start && s.charCodeAt(end - 1) <= 0x20) end -= 1;
  return s.slice(start, end);
}
