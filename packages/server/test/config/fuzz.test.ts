// Seeded fuzzing of the zoo.cfg reader: mutations of a valid ensemble config (keys from the known
// vocabulary with wild values, garbage lines, duplicates, continuations, odd characters). Every
// input is either read or refused with a ConfigError naming where; nothing else may escape.
// PADDOCK_FUZZ_LONG=1 reads many more.
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../../chaos/src/rng.js";
import { ConfigError, parseZooCfg } from "../../src/config/index.js";
import { KNOWN_KEYS } from "../../src/config/known-keys.js";

// The long run (about 10M inputs over the three fuzzers together) takes tens of minutes.
const LONG = process.env.PADDOCK_FUZZ_LONG === "1";
const INPUTS = LONG ? 3_000_000 : 60_000;
const SEED = 4242;

const BASE = [
  "tickTime=2000",
  "initLimit=10",
  "syncLimit=5",
  "dataDir=/data",
  "clientPort=2181",
  "server.1=zoo1:2888:3888;2181",
  "server.2=zoo2:2888:3888:participant;2181",
  "server.3=zoo3:2888:3888:observer;127.0.0.1:2181",
];

const KEYS = [
  ...Object.values(KNOWN_KEYS).map((k) => k.key),
  "server.4",
  "server.0",
  "server.-1",
  "group.1",
  "weight.1",
  "ssl.keyStore.location",
  "sslQuorum",
  "metricsProvider.httpPort",
  "paddock.allowUnsupportedSecurity",
  "zookeeper.skipACL",
  "4lw.commands.whitelist",
];

const VALUES = [
  "",
  "0",
  "-1",
  "1",
  "2147483648",
  "99999999999999999999",
  "true",
  "no",
  "yes",
  "NaN",
  " 7 ",
  "zoo1:2888:3888",
  "zoo1:2888:3888:observer;2181",
  "[::1]:2888:3888;[::1]:2181",
  "host:99999:1",
  "a|b:1:2",
  "*",
  "srvr, ruok ,,",
  "/",
  "\\u0000",
  "é😀",
  "x".repeat(5000),
  "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider",
];

function mutate(random: () => number): string {
  const lines = [...BASE];
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const edits = 1 + Math.floor(random() * 4);
  for (let i = 0; i < edits; i++) {
    const r = random();
    const at = Math.floor(random() * (lines.length + 1));
    if (r < 0.45) lines.splice(at, 0, `${pick(KEYS)}${pick(["=", " = ", ":", " "])}${pick(VALUES)}`);
    else if (r < 0.6) lines.splice(at, 1);
    else if (r < 0.7) lines.splice(at, 0, lines[Math.floor(random() * lines.length)] ?? "");
    else if (r < 0.8)
      lines.splice(
        at,
        0,
        String.fromCharCode(...Array.from({ length: 12 }, () => Math.floor(random() * 0x3000))),
      );
    else if (r < 0.9) lines.splice(at, 0, `${pick(KEYS)}=${pick(VALUES)}\\`);
    else lines.splice(at, 0, pick(["# comment", "! bang", "   ", "=", "key", "\t\f"]));
  }
  return lines.join(pick(["\n", "\r\n", "\r"]));
}

describe("zoo.cfg under fuzzing", () => {
  it(`${INPUTS} seeded configs (seed ${SEED}): each is read or refused with a ConfigError`, {
    timeout: LONG ? 10_800_000 : 600_000,
  }, () => {
    const random = seededRandom(SEED);
    let read = 0;
    let refused = 0;
    for (let i = 0; i < INPUTS; i++) {
      const text = mutate(random);
      try {
        parseZooCfg(text, "/fuzz/zoo.cfg");
        read++;
      } catch (err) {
        if (!(err instanceof ConfigError)) {
          throw new Error(`input ${i} escaped with ${String(err)}:\n${JSON.stringify(text)}`);
        }
        expect(err.file).toBe("/fuzz/zoo.cfg");
        refused++;
      }
    }
    // Both outcomes happen: the fuzzer reaches past the first check.
    expect(read).toBeGreaterThan(INPUTS / 20);
    expect(refused).toBeGreaterThan(INPUTS / 20);
  });
});
