// The web console end to end, in headless Chromium (Debian's `chromium`, driven by
// playwright-core): a 3-server ensemble, the page opened on a follower; the leader is killed
// with SIGKILL and the page shows the new leader and the failover in its timeline. The tree
// browser reads and edits through a real session, with digest credentials and ACLs.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { CreateMode, ZooKeeperClient } from "@paddock/client";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ensemble } from "../support/ensemble.js";
import { RawClient } from "../support/raw-client.js";
import { isCI } from "../support/zookeeper.js";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
if (CHROMIUM === undefined && isCI) throw new Error("chromium is required in CI (apt-get install chromium)");

/** Where screenshots go when PADDOCK_CONSOLE_SCREENSHOTS is set (docs/images when refreshing the docs). */
const SCREENSHOTS = process.env.PADDOCK_CONSOLE_SCREENSHOTS;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// Skipped only outside CI when Debian's chromium is not installed (CI requires it, above).
describe.skipIf(CHROMIUM === undefined)("web console in headless Chromium", () => {
  let ensemble: Ensemble;
  let browser: Browser;
  let page: Page;
  let leaderId: number;
  let viewerId: number;

  beforeAll(async () => {
    ensemble = await Ensemble.create({ size: 3, adminServer: true, tickTimeMs: 200 });
    // Every member's console finds the others at their own admin ports.
    const peers = ensemble.nodes.map((n) => `${n.id}=http://127.0.0.1:${n.adminPort}`).join(",");
    ensemble.opts.extraCfg = ["admin.enableConsole=true", `admin.consolePeers=${peers}`];
    ensemble.rewriteConfigs();
    ensemble.startAll();
    leaderId = await ensemble.waitForQuorum(30_000);
    viewerId = [1, 2, 3].find((id) => id !== leaderId)!;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`http://127.0.0.1:${ensemble.node(viewerId).adminPort}/console`);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await ensemble?.destroy();
  });

  it("shows the ensemble with its leader, epochs and zxids", async () => {
    await page.waitForFunction(`document.getElementById("leader").textContent === "${leaderId}"`);
    const rows = await page.$$eval("#ensemble tbody tr", (trs) =>
      trs.map((tr) => ({ id: tr.getAttribute("data-id"), role: tr.getAttribute("data-role") })),
    );
    expect(rows.map((r) => r.id)).toEqual(["1", "2", "3"]);
    expect(rows.filter((r) => r.role === "leading").map((r) => r.id)).toEqual([String(leaderId)]);
    expect(rows.filter((r) => r.role === "following")).toHaveLength(2);
    // The leader's row of learners fills the lag column of the followers.
    await page.waitForFunction(
      String.raw`[...document.querySelectorAll("#ensemble tbody tr")].some((tr) => /\d+ \/ \d+ \(/.test(tr.textContent))`,
    );
    if (SCREENSHOTS !== undefined) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, "console-ensemble.png"), fullPage: true });
    }
  });

  it("kill -9 the leader: the page shows the new leader and the failover in its timeline", async () => {
    const startedMs = Date.now();
    await ensemble.kill(leaderId, "SIGKILL");
    const newLeader = await until("a new leader on the page", async () => {
      const text = await page.textContent("#leader");
      const id = Number(text);
      return Number.isInteger(id) && id > 0 && id !== leaderId ? id : undefined;
    });
    expect([1, 2, 3].filter((id) => id !== leaderId)).toContain(newLeader);
    const timeline = await page.$$eval("#timeline li", (lis) =>
      lis.map((li) => ({
        kind: li.getAttribute("data-kind"),
        server: li.getAttribute("data-server"),
        text: li.textContent ?? "",
      })),
    );
    // The old leader went away, the survivors looked for a leader, one of them leads now.
    expect(timeline.some((e) => e.kind === "down" && e.server === String(leaderId))).toBe(true);
    expect(timeline.some((e) => e.kind === "election" && /looking for a leader/.test(e.text))).toBe(true);
    expect(
      timeline.some(
        (e) => e.kind === "leader" && e.server === String(newLeader) && /leading in epoch/.test(e.text),
      ),
    ).toBe(true);
    const row = await page.$eval(`#ensemble tbody tr[data-id="${leaderId}"]`, (tr) =>
      tr.getAttribute("data-role"),
    );
    expect(row).toBe("down");
    console.log(`console showed leader ${newLeader} ${Date.now() - startedMs} ms after the SIGKILL`);
    if (SCREENSHOTS !== undefined)
      await page.screenshot({ path: join(SCREENSHOTS, "console-failover.png"), fullPage: true });
  }, 40_000);

  it("a session that expires shows in the timeline", async () => {
    const raw = await RawClient.open("127.0.0.1", ensemble.node(viewerId).clientPort, { timeOutMs: 500 });
    const sessionHex = `0x${BigInt.asUintN(64, raw.session!.sessionId).toString(16)}`;
    // Gone without closeSession: the leader expires it once its timeout has passed.
    raw.destroy();
    await page.waitForFunction(
      `[...document.querySelectorAll("#timeline li[data-kind=session]")].some((li) => li.textContent.includes("session ${sessionHex} expired"))`,
      undefined,
      { timeout: 15_000 },
    );
  }, 30_000);

  it("tree browser: data as text, JSON and hex; edits honour ACLs and digest credentials", async () => {
    const c = new ZooKeeperClient({
      connectString: ensemble.node(viewerId).connectString,
      sessionTimeoutMs: 30_000,
    });
    await c.connect();
    await c.addAuth("digest", "alice:secret");
    await c.create("/console-demo", '{"a":1}');
    // Only alice may write /console-demo/locked (world may read).
    await c.create("/console-demo/locked", "v1", {
      mode: CreateMode.Persistent,
      acl: [
        { perms: 1, id: { scheme: "world", id: "anyone" } },
        { perms: 31, id: { scheme: "auth", id: "" } },
      ],
    });
    await c.close();

    await page.fill("#tree-path", "/console-demo");
    await page.selectOption("#tree-format", "json");
    await page.click("#tree-go");
    await page.waitForFunction(`document.getElementById("tree-data").textContent.includes('"a": 1')`);
    expect(await page.textContent("#tree-children")).toContain("locked");
    await page.selectOption("#tree-format", "hex");
    await page.click("#tree-go");
    await page.waitForFunction(`document.getElementById("tree-data").textContent.startsWith("7b 22 61")`);

    await page.fill("#tree-path", "/console-demo/locked");
    await page.selectOption("#tree-format", "text");
    await page.fill("#edit-data", "v2");
    await page.fill("#edit-digest", "");
    await page.click('button[data-op="set"]');
    await page.waitForFunction(
      `/NoAuth|not authenticated|Insufficient/i.test(document.getElementById("tree-error").textContent)`,
    );
    await page.fill("#edit-digest", "alice:secret");
    await page.click('button[data-op="set"]');
    await page.waitForFunction(`document.getElementById("tree-data").textContent === "v2"`);
    expect(await page.textContent("#tree-error")).toBe("");
    // Stat and ACL of the node, as the server has them.
    const stat = JSON.parse((await page.textContent("#tree-stat")) ?? "{}");
    expect(stat.version).toBe(1);
    expect(stat.dataLength).toBe(2);
    const acl = (await page.textContent("#tree-acl")) ?? "";
    expect(acl).toContain('"scheme": "digest"');
    expect(acl).toContain('"id": "alice:');
  });
});
