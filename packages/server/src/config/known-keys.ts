// The zoo.cfg vocabulary: every key Paddock reads, gathered from the tables of each area
// (client, ensemble, storage, data, admin), with the lookups by spelling; and the keys ZooKeeper
// knows whose features Paddock lacks. A new key is one entry in its area's table and its field
// in server-config.ts: the compiler checks that every setting has a key of the setting's type.

import { ADMIN_KEYS } from "./admin-keys.js";
import { AUTH_KEYS } from "./auth-keys.js";
import { CLIENT_KEYS } from "./client-keys.js";
import { DATA_KEYS } from "./data-keys.js";
import { ENSEMBLE_KEYS } from "./ensemble-keys.js";
import type { KeySettings, KnownKey } from "./known-key.js";
import { STORAGE_KEYS } from "./storage-keys.js";
import { TLS_KEYS } from "./tls-keys.js";

const AREAS = [CLIENT_KEYS, TLS_KEYS, AUTH_KEYS, ENSEMBLE_KEYS, STORAGE_KEYS, DATA_KEYS, ADMIN_KEYS];

/** Every key Paddock reads, by the setting it sets. */
export const KNOWN_KEYS = {
  ...CLIENT_KEYS,
  ...TLS_KEYS,
  ...AUTH_KEYS,
  ...ENSEMBLE_KEYS,
  ...STORAGE_KEYS,
  ...DATA_KEYS,
  ...ADMIN_KEYS,
} satisfies { readonly [F in keyof KeySettings]: KnownKey<KeySettings[F]> };

export type KeyField = keyof typeof KNOWN_KEYS;

/** The settings before any key is read. */
export function defaultSettings(): KeySettings {
  const settings: Partial<Record<KeyField, unknown>> = {};
  for (const [field, known] of Object.entries(KNOWN_KEYS)) settings[field as KeyField] = known.default;
  return settings as KeySettings;
}

const FIELD_BY_KEY: ReadonlyMap<string, KeyField> = new Map(
  Object.entries(KNOWN_KEYS).map(([field, known]) => [known.key, field as KeyField]),
);

/** Every other spelling of a known key, with the canonical key it stands for. */
const ALIAS_PAIRS: ReadonlyArray<[alias: string, canonical: string]> = Object.values(KNOWN_KEYS).flatMap(
  (known: KnownKey<unknown>) =>
    [
      ...(known.origin === "zoo.cfg" || known.origin === "paddock" ? [] : [`zookeeper.${known.key}`]),
      ...(known.aliases ?? []),
    ].map((alias): [string, string] => [alias, known.key]),
);

const ALIASES: ReadonlyMap<string, string> = new Map(ALIAS_PAIRS);

const CANONICAL_BY_LOWERCASE: ReadonlyMap<string, string> = new Map(
  [...FIELD_BY_KEY.keys(), ...ALIASES.keys()].map((k) => [k.toLowerCase(), k]),
);

/** The canonical spelling of a key, for any of its spellings; other keys come back unchanged. */
export function canonicalKey(key: string): string {
  return ALIASES.get(key) ?? key;
}

/** The setting a canonical key sets, if it is a known key. */
export function fieldOfKey(canonical: string): KeyField | undefined {
  return FIELD_BY_KEY.get(canonical);
}

/**
 * The known spelling a misspelt key most likely meant: one that differs only in case, else the
 * nearest by edit distance (insert, delete, substitute, swap two neighbours) within 1 edit for
 * short keys and 2 for keys of 8 characters or more (`clientPortAdress` -> `clientPortAddress`).
 */
export function suggestKey(key: string): string | undefined {
  const sameLetters = CANONICAL_BY_LOWERCASE.get(key.toLowerCase());
  if (sameLetters !== undefined) return sameLetters;
  const limit = key.length >= 8 ? 2 : 1;
  let best: { key: string; distance: number } | undefined;
  for (const known of CANONICAL_BY_LOWERCASE.values()) {
    if (Math.abs(known.length - key.length) > limit) continue;
    const distance = editDistance(key.toLowerCase(), known.toLowerCase(), limit);
    if (distance <= limit && (best === undefined || distance < best.distance))
      best = { key: known, distance };
  }
  return best?.key;
}

/** Optimal string alignment distance, cut short once every path exceeds `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, before[j - 2]! + 1);
      current.push(d);
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > limit) return limit + 1;
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}

// A setting in two areas, or a spelling claimed twice, would make one entry silently win.
const settingCount = AREAS.reduce((n, area) => n + Object.keys(area).length, 0);
const spellings = [...FIELD_BY_KEY.keys(), ...ALIAS_PAIRS.map(([alias]) => alias)];
if (
  settingCount !== Object.keys(KNOWN_KEYS).length ||
  new Set(spellings).size !== settingCount + ALIAS_PAIRS.length
) {
  throw new Error("config/known-keys: a setting or a key spelling is defined twice");
}
