import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FileAuditSink } from "../../src/audit/audit-log.js";

const event = (znode: string) =>
  ({ session: "0x1", user: "u", ip: "127.0.0.1", operation: "create", znode, result: "success" }) as const;

describe("the audit file", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("writes RFAAUDIT's layout and rolls as its FixedWindowRollingPolicy does", async () => {
    const dir = mkdtempSync(join(tmpdir(), "paddock-audit-sink-"));
    dirs.push(dir);
    const file = join(dir, "zookeeper_audit.log");
    // 3 backups and a limit one turn's line passes, to roll at every turn.
    const sink = new FileAuditSink(file, "zoo.cfg", 100, 3);
    for (let turn = 1; turn <= 5; turn++) {
      sink.write(event(`/n${turn}`));
      await Promise.resolve(); // the line is written as the turn's microtasks run
    }
    const lastLine = (f: string) => readFileSync(f, "utf8").trim().split("\n").at(-1) ?? "";
    expect(lastLine(`${file}.1`)).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO o\.a\.z\.a\.Slf4jAuditLogger: session=0x1\tuser=u\tip=127\.0\.0\.1\toperation=create\tznode=\/n5\tresult=success$/,
    );
    // The newest roll is .1; the oldest kept is .3; what rolled out before is gone; the file
    // itself starts again empty.
    expect(lastLine(`${file}.2`)).toContain("znode=/n4\t");
    expect(lastLine(`${file}.3`)).toContain("znode=/n3\t");
    expect(readFileSync(file, "utf8")).toBe("");
    expect(existsSync(`${file}.4`)).toBe(false);
    sink.close();
  });
});
