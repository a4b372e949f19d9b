// One `key=value` entry of zoo.cfg or of a dynamic config file, as ZooKeeper reads them:
// java.util.Properties syntax, then key and value trimmed with String.trim().

import type { ConfigLocation } from "./errors.js";
import { javaTrim, parseProperties } from "./properties.js";

export interface ConfigEntry {
  /** Trimmed, as written (not canonicalised). */
  key: string;
  /** Trimmed. */
  value: string;
  /** 1-based line where the entry starts; 0 for a setting from a -D flag. */
  line: number;
  /** For a setting from a -D flag: the variable that held it and the property's name. */
  source?: { variable: string; property: string };
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
  if (entry.source !== undefined) return { file: entry.source.variable, key: entry.source.property };
  return { file: fileName, line: entry.line, key: entry.key };
}
