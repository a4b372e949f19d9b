// zkCli's reconfig option rules: word options with one dash, hex -v, the two modes kept apart,
// values lower-cased, -file read as a dynamic config file.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseReconfigArgs, RECONFIG_USAGE } from "../src/index.js";

describe("paddock-cli reconfig arguments", () => {
  it("reads incremental changes, a hex version and -s", () => {
    expect(parseReconfigArgs(["-s", "-v", "1A", "-add", "server.4=H:1:2;3", "-remove", "2,3"])).toEqual({
      stat: true,
      fromConfig: 0x1a,
      joining: "server.4=h:1:2;3",
      leaving: "2,3",
      members: undefined,
    });
  });

  it("reads -members and -file (server lines only, version and comments dropped)", () => {
    expect(parseReconfigArgs(["-members", "server.1=a:1:2;3"]).members).toBe("server.1=a:1:2;3");
    const dir = mkdtempSync(join(tmpdir(), "reconfig-args-"));
    const file = join(dir, "zoo.cfg.dynamic.100000000");
    writeFileSync(file, "# members\nserver.1=a:1:2:participant;3\nserver.2 = b:1:2;3\nversion=100000000\n");
    expect(parseReconfigArgs(["-file", file]).members).toBe("server.1=a:1:2:participant;3\nserver.2=b:1:2;3");
  });

  it("refuses what zkCli refuses, with its messages", () => {
    expect(() => parseReconfigArgs([])).toThrow(`reconfig ${RECONFIG_USAGE}`);
    expect(() => parseReconfigArgs(["-members", "x", "-add", "y"])).toThrow(
      /mixing incremental and non-incremental/,
    );
    expect(() => parseReconfigArgs(["-members", "x", "-file", "y"])).toThrow(
      /conflicting non-incremental modes/,
    );
    expect(() => parseReconfigArgs(["-remove", "1", "-v", "zz"])).toThrow(
      "-v must be followed by a long (configuration version)",
    );
    expect(() => parseReconfigArgs(["-remove"])).toThrow("Missing argument for option: remove");
    expect(() => parseReconfigArgs(["-bogus", "1"])).toThrow("Unrecognized option: -bogus");
  });
});
