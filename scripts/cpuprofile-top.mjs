#!/usr/bin/env node
// Summarises a V8 .cpuprofile (node --cpu-prof): the busiest functions by self time and by
// inclusive time, in % of the profile's wall time. Usage: node scripts/cpuprofile-top.mjs FILE [N]
import { readFileSync } from "node:fs";
import { basename } from "node:path";

const [file, nText] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write("usage: node scripts/cpuprofile-top.mjs FILE.cpuprofile [N]\n");
  process.exit(2);
}
const topN = Number(nText ?? 25);
const prof = JSON.parse(readFileSync(file, "utf8"));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
// Sample time per node from timeDeltas (µs): more exact than hitCount × mean interval.
const selfUs = new Map();
for (let i = 0; i < prof.samples.length; i++) {
  const id = prof.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + (prof.timeDeltas[i + 1] ?? 0));
}
const totalUs = prof.endTime - prof.startTime;
const keyOf = (n) => {
  const f = n.callFrame;
  const where = f.url ? `${basename(f.url)}:${f.lineNumber + 1}` : "";
  return `${f.functionName || "(anonymous)"} ${where}`.trim();
};
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map();
const incl = new Map();
for (const [id, us] of selfUs) {
  const key = keyOf(byId.get(id));
  self.set(key, (self.get(key) ?? 0) + us);
  // Each function on the stack once, however often it recurses.
  const seen = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const k = keyOf(byId.get(at));
    if (seen.has(k)) continue;
    seen.add(k);
    incl.set(k, (incl.get(k) ?? 0) + us);
  }
}
const idle = self.get("(idle)") ?? 0;
const pct = (us) => `${((us / totalUs) * 100).toFixed(1).padStart(5)} %`;
process.stdout.write(
  `${basename(file)}: ${(totalUs / 1e6).toFixed(1)} s, busy ${pct(totalUs - idle)} (idle ${pct(idle)})\n`,
);
for (const [title, map] of [
  ["self", self],
  ["inclusive", incl],
]) {
  process.stdout.write(`-- top ${topN} by ${title} time\n`);
  const rows = [...map].filter(([k]) => k !== "(idle)" && k !== "(root)").sort((a, b) => b[1] - a[1]);
  for (const [k, us] of rows.slice(0, topN)) process.stdout.write(`${pct(us)}  ${k}\n`);
}
