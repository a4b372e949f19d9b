// One `key=value` entry of zoo.cfg or of a dynamic config file, as ZooKeeper reads them:
// java.util.Properties syntax, then key and value trimmed with String.trim().

import type { ConfigLocation } from "./errors.js";
import { javaTrim, parseProperties } from "./properties.js";

export interface ConfigEntry {
  /** Trimmed, as written (not canonicalised). */
  key: string;
  /** Trimmed. */
  value: string;
  /** 1-based line where the entry starts. */
  line: number;
}

/** A location that names the key (every entry's, and every setting's). */
export type KeyLocation = ConfigLocation & { key: string };

/** Every entry in file order, duplicates included. */
export function readEntries(text: string, fileName: string): ConfigEntry[] {
  return parseProperties(text, fileName).map((property) => ({
    key: javaTrim(property.key),
    value: javaTrim(property.value),
    line: property.line,
  }));
}

export function entryLocation(fileName: string, entry: ConfigEntry): KeyLocation {
  return { file: fileName, line: entry.line, key: entry.key };
}
