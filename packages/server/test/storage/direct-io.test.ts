// alignedWindow finds, by trying O_DIRECT writes, a window of a fresh buffer the kernel takes for
// direct I/O. Each window found must be taken at any block offset, and the probe must not be
// fooled by the start it remembers from the last buffer of the same size.
import { constants } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { alignedWindow, DIRECT_ALIGN_BYTES, openDirect } from "../../src/storage/direct-io.js";
import { fileSystemTakesDirect, payloadFor, tempDir } from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir("direct-io"));
});
afterEach(async () => {
  await cleanup();
});

describe("alignedWindow", () => {
  it("gives windows that O_DIRECT writes take, probe after probe, for any window size", async () => {
    if (!(await fileSystemTakesDirect(dir))) {
      // Where O_DIRECT is refused there is nothing to align to; CI's /tmp takes it.
      expect(process.env.CI).not.toBe("true");
      return;
    }
    const path = join(dir, "direct");
    const fh = await openDirect(path, constants.O_RDWR | constants.O_CREAT, 0o644);
    expect(fh).toBeDefined();
    try {
      const windows: Buffer[] = [];
      for (const sizeBytes of [64 * 1024, 1024 * 1024, 64 * 1024, 1024 * 1024, 4096]) {
        const window = await alignedWindow(fh!, sizeBytes, 0);
        expect(window?.length).toBe(sizeBytes);
        windows.push(window!);
      }
      // Every window writes at block offsets other than the probe's, with its own bytes.
      for (const [i, window] of windows.entries()) {
        const content = payloadFor(i + 1, DIRECT_ALIGN_BYTES);
        content.copy(window);
        const { bytesWritten } = await fh!.write(window, 0, DIRECT_ALIGN_BYTES, (i + 1) * DIRECT_ALIGN_BYTES);
        expect(bytesWritten).toBe(DIRECT_ALIGN_BYTES);
      }
      const bytes = await readFile(path);
      for (let i = 0; i < windows.length; i++) {
        const at = (i + 1) * DIRECT_ALIGN_BYTES;
        expect(
          bytes.subarray(at, at + DIRECT_ALIGN_BYTES).equals(payloadFor(i + 1, DIRECT_ALIGN_BYTES)),
        ).toBe(true);
      }
    } finally {
      await fh!.close();
    }
  });
});
