// Watch registration, event sequences and their order relative to replies, persistent and
// recursive watches, removal, SetWatches replay after reconnect, and the 3.8.0 vs 3.8.4+
// differences (asserted per target).
import { ErrorCode as E, EventType, OpCode, Perms } from "@paddock/jute";
import { describe, expect, it } from "vitest";
import { SUPER_AUTH } from "../support/process.js";
import { skipDifferential, useDifferential } from "./harness.js";
import {
  addWatch,
  auth,
  BOB_DIGEST,
  check,
  checkWatches,
  create,
  del,
  digestAcl,
  exists,
  getChildren,
  getChildren2,
  getData,
  multi,
  removeWatches,
  setACL,
  setData,
  setWatches,
} from "./ops.js";

describe.skipIf(skipDifferential)("differential: watches", () => {
  const diff = useDifferential();

  it("standard watches: one event per trigger, before the reply that reflects it", () =>
    diff.run("standard", async (t) => {
      const r = t.root;
      const w = await t.client({ label: "watcher" });
      const other = await t.client({ label: "writer" });
      await w.call(create(r));
      await w.call(create(`${r}/a`, "0"));
      await w.call(getData(`${r}/a`, true));
      await w.call(exists(`${r}/later`, true));
      await w.call(getChildren(r, true));
      await w.call(getChildren2(`${r}/a`, true));
      // The writer is the watcher: its own event comes before its setData reply.
      await w.call(setData(`${r}/a`, "1"));
      // Already fired: a second change is silent.
      await w.call(setData(`${r}/a`, "2"));
      await other.call(create(`${r}/later`));
      await w.waitFor((e) => e.kind === "event" && e.path === r);
      await w.call(getData(`${r}/a`, true));
      await w.call(exists(`${r}/a`, true));
      // Data and child watch on the same node: one NodeDeleted.
      await other.call(del(`${r}/a`));
      await w.waitFor((e) => e.kind === "event" && e.type === EventType.NodeDeleted);
      await w.settle();
      // setACL fires nothing.
      await w.call(getData(`${r}/later`, true));
      await other.call(setACL(`${r}/later`, [{ perms: Perms.ALL, id: { scheme: "world", id: "anyone" } }]));
      await w.settle();
      await w.call(removeWatches(`${r}/later`, 3));
    }));

  it("multi fires each op's watches in op order before its reply", () =>
    diff.run("multi-events", async (t) => {
      const r = t.root;
      const w = await t.client({ label: "watcher" });
      await w.call(create(r));
      await w.call(create(`${r}/x`));
      await w.call(getChildren(r, true));
      await w.call(getData(`${r}/x`, true));
      await w.call(exists(`${r}/y`, true));
      await w.call(multi(create(`${r}/y`), setData(`${r}/x`, "v"), del(`${r}/y`), check(r, 0)));
      await w.call(exists(`${r}/y`, true));
      // A failed multi fires nothing.
      await w.call(multi(create(`${r}/y`), check(r, 99)));
      await w.settle();
    }));

  it("persistent and persistent-recursive watches (addWatch)", () =>
    diff.run("persistent", async (t) => {
      const r = t.root;
      const w = await t.client({ label: "watcher" });
      const other = await t.client({ label: "writer" });
      await w.call(create(r));
      await w.call(create(`${r}/p`));
      await w.call(create(`${r}/q`));
      await w.call(addWatch(`${r}/p`, 0));
      await w.call(addWatch(`${r}/q`, 1));
      await w.call(addWatch(`${r}/not-yet`, 0));
      for (let round = 0; round < 2; round++) {
        await other.call(create(`${r}/p/c${round}`));
        await other.call(setData(`${r}/p`, `v${round}`));
        await other.call(setData(`${r}/p/c${round}`, "child data is not watched"));
        await other.call(create(`${r}/q/a${round}`));
        await other.call(create(`${r}/q/a${round}/deep`));
        await other.call(setData(`${r}/q/a${round}/deep`, "x"));
        await other.call(del(`${r}/q/a${round}/deep`));
        await other.call(setData(`${r}/q`, "x"));
      }
      await other.call(create(`${r}/not-yet`));
      await other.call(create(`${r}/not-yet/child`));
      // Standard + persistent + recursive ancestor on one node: still one event per trigger.
      await w.call(getData(`${r}/q/a0`, true));
      await w.call(addWatch(`${r}/q/a0`, 0));
      await other.call(setData(`${r}/q/a0`, "once"));
      await w.waitFor(
        (e) => e.kind === "event" && e.path === `${r}/q/a0` && e.type === EventType.NodeDataChanged,
      );
      await other.call(del(`${r}/q/a0`));
      await w.waitFor(
        (e) => e.kind === "event" && e.path === `${r}/q/a0` && e.type === EventType.NodeDeleted,
      );
      await w.settle();
    }));

  it("checkWatches and removeWatches", () =>
    diff.run("remove", async (t) => {
      const r = t.root;
      const w = await t.client({ label: "watcher" });
      await w.call(create(r));
      await w.call(create(`${r}/n`));
      expect((await w.call(checkWatches(`${r}/n`, 3))).err).toBe(E.NoWatcher);
      await w.call(getData(`${r}/n`, true));
      await w.call(checkWatches(`${r}/n`, 2));
      expect((await w.call(checkWatches(`${r}/n`, 1))).err).toBe(E.NoWatcher);
      await w.call(removeWatches(`${r}/n`, 1));
      await w.call(removeWatches(`${r}/n`, 2));
      expect((await w.call(checkWatches(`${r}/n`, 2))).err).toBe(E.NoWatcher);
      await w.call(getChildren(`${r}/n`, true));
      await w.call(exists(`${r}/n`, true));
      await w.call(checkWatches(`${r}/n`, 1));
      await w.call(removeWatches(`${r}/n`, 3));
      await w.call(checkWatches(`${r}/n`, 3));
      await w.call(addWatch(`${r}/n`, 0));
      await w.call(checkWatches(`${r}/n`, 2));
      await w.call(checkWatches(`${r}/n`, 1));
      await w.call(removeWatches(`${r}/n`, 3));
      await w.call(checkWatches(`${r}/n`, 3));
      await w.call(exists(`${r}/missing`, true));
      await w.call(checkWatches(`${r}/missing`, 2));
      await w.call(removeWatches(`${r}/missing`, 2));
      await w.call(setData(`${r}/n`, "no event expected"));
      await w.settle();
      // WatcherType 4/5 exist only from 3.9: asserted per target.
      const side = await t.client({ compare: false });
      await side.call(addWatch(`${r}/n`, 1));
      const typed = await side.call(removeWatches(`${r}/n`, 5));
      if (t.kind === "zookeeper") expect(typed.err).toBe(E.MarshallingError);
      else expect([E.MarshallingError, E.OK]).toContain(typed.err);
    }));

  it("setWatches after reconnect replays missed changes, then re-arms", () =>
    diff.run("set-watches", async (t) => {
      const r = t.root;
      const writer = await t.client({ label: "writer" });
      await writer.call(create(r));
      for (const n of ["d", "gone", "kids", "same", "gone2"]) await writer.call(create(`${r}/${n}`));
      const first = await t.client({ label: "first" });
      await first.call(exists(r));
      const lastZxid = first.lastZxid();
      const session = first.session!;
      first.destroy();
      await first.waitClosed();
      await writer.call(setData(`${r}/d`, "changed"));
      await writer.call(del(`${r}/gone`));
      await writer.call(del(`${r}/gone2`));
      await writer.call(create(`${r}/new`));
      await writer.call(create(`${r}/kids/k`));
      const again = await t.client({
        label: "reconnected",
        sessionId: session.sessionId,
        passwd: session.passwd,
        lastZxidSeen: lastZxid,
      });
      await again.call(
        setWatches(lastZxid, {
          data: [`${r}/d`, `${r}/gone`, `${r}/same`],
          exist: [`${r}/new`, `${r}/absent`],
          child: [`${r}/kids`, `${r}/gone2`, r],
        }),
      );
      await again.settle();
      await writer.call(setData(`${r}/same`, "now"));
      await writer.call(create(`${r}/absent`));
      await writer.call(create(`${r}/extra`));
      await writer.call(setData(`${r}/d`, "not re-armed"));
      // Events travel on another socket than the writer's replies: wait for the last expected one.
      await again.waitFor((e) => e.kind === "event" && e.path === `${r}/absent`);
      await again.settle();
      // setWatches2 with persistent lists on a second reconnect; xid -8 as the C client sends.
      const z2 = again.lastZxid();
      again.destroy();
      await again.waitClosed();
      const third = await t.client({
        label: "third",
        sessionId: session.sessionId,
        passwd: session.passwd,
        lastZxidSeen: z2,
      });
      const xid = third.send(
        setWatches(z2, { persistent: [`${r}/kids`], recursive: [`${r}/same`] }, true),
        -8,
      );
      await third.waitReply(xid);
      await writer.call(create(`${r}/kids/k2`));
      await writer.call(setData(`${r}/same`, "again"));
      await writer.call(setData(`${r}/same`, "and again"));
      await third.waitFor(() => third.events().filter((e) => e.path === `${r}/same`).length >= 2);
      await third.settle();
    }));

  it("READ-filtered recursive-watch events; top-level check per target", () =>
    diff.run("version-diffs", async (t) => {
      const r = t.root;
      const admin = await t.client({ label: "admin" });
      await admin.call(auth("digest", SUPER_AUTH));
      await admin.call(create(r));
      const anon = await t.client({ label: "anonymous" });
      await anon.call(addWatch(r, 1));
      await admin.call(create(`${r}/secret`, "", 0, [digestAcl("bob", BOB_DIGEST)]));
      await admin.call(setData(`${r}/secret`, "x"));
      await admin.call(create(`${r}/open`));
      await anon.waitFor((e) => e.kind === "event" && e.path === `${r}/open`);
      await anon.settle();
      const secretEvents = anon.events().filter((e) => e.path === `${r}/secret`);
      // Upstream 3.8.0 would deliver these; the Debian build carries the CVE-2024-23944 fix
      // (as 3.8.4+ does), so both targets filter and the transcript is compared.
      expect(secretEvents).toEqual([]);
      for (const e of anon.events()) expect(e.zxid).toBe(-1);

      const checker = await t.client({ label: "check", compare: false });
      const failing = checker.send(check(r, 99));
      const passing = checker.send(check(r, 0));
      const after = checker.send(exists(r));
      if (t.kind === "zookeeper") {
        expect((await checker.waitReply(failing)).err).toBe(E.BadVersion);
        await checker.waitReply(after);
        expect(checker.transcript.some((e) => e.kind === "reply" && e.xid === passing)).toBe(false);
      } else {
        expect((await checker.waitReply(failing)).err).toBe(E.Unimplemented);
        await checker.waitClosed();
      }
      expect(OpCode.check).toBe(13);
    }));
});
