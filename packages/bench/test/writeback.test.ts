import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { flushWriteback, parseUnwrittenBytes, unwrittenBytes } from "../src/writeback.js";

describe("the page cache's unwritten bytes", () => {
  it("adds Dirty and Writeback from /proc/meminfo's text", () => {
    const meminfo = [
      "MemTotal:       24000000 kB",
      "Dirty:              1536 kB",
      "Writeback:           512 kB",
      "WritebackTmp:          7 kB",
    ].join("\n");
    expect(parseUnwrittenBytes(meminfo)).toBe(2048 * 1024);
    expect(parseUnwrittenBytes("MemTotal: 1 kB\n")).toBeUndefined();
  });

  it.runIf(process.platform === "linux")("flushes what a buffered write left dirty", async () => {
    const dir = mkdtempSync(join(tmpdir(), "paddock-writeback-"));
    try {
      // 64 MB written through the cache is dirty until writeback; sync(1) must not return before.
      writeFileSync(join(dir, "dirty"), Buffer.alloc(64 * 1024 * 1024, 1));
      const flush = await flushWriteback();
      expect(flush.unwrittenBytesBefore).toBeGreaterThan(32 * 1024 * 1024);
      expect(flush.tookMs).toBeGreaterThan(0);
      // Other processes may dirty pages meanwhile, but not another 32 MB in this moment.
      expect(unwrittenBytes()).toBeLessThan(32 * 1024 * 1024);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
