// One seeded generator for every randomised test and tool (packages/chaos/src/rng.ts).
export { seededRandom } from "../../chaos/src/rng.js";

export function randomInt(rand: () => number, minInclusive: number, maxInclusive: number): number {
  return minInclusive + Math.floor(rand() * (maxInclusive - minInclusive + 1));
}

export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ""), "hex");
}
