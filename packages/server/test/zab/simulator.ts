// Deterministic simulator: N ZabPeers in one process, a seeded datagram network (delay, drop,
// duplicate, reorder, partitions), simulated disks with a durable and an unsynced part, crashes
// that lose the unsynced part, and invariant checks after every event. Everything random comes
// from one seeded PRNG, so a failing seed replays exactly.

import type {
  Effect,
  LogEntry,
  PeerMessage,
  QuorumConfig,
  ZabConfig,
  ZabInput,
  ZabStatus,
} from "../../src/zab/index.js";
import { DEFAULT_TIMING, formatZxid, quorumSize, ZabError, ZabPeer } from "../../src/zab/index.js";
import { formatConfig, sameConfig } from "../../src/zab/membership.js";
import { rng } from "../storage/helpers.js";

/** Simulated time units per ZAB tick. Network delays and fsyncs are a fraction of a tick. */
export const TIME_PER_TICK = 10;

export interface FaultProfile {
  dropRate: number;
  dupRate: number;
  minDelay: number;
  maxDelay: number;
  /** Share of messages delayed by up to slowDelay more: reorders them past later ones. */
  slowRate: number;
  slowDelay: number;
  fsyncMaxDelay: number;
  /**
   * Share of readLog effects answered with null, as a runtime does when the txns would be too
   * many bytes for a DIFF or a log file went away under the reader: the leader falls back to SNAP.
   */
  logReadDeclineRate: number;
  /** Mean time between random fault actions (crash, partition, heal...); 0 disables them. */
  chaosEveryMean: number;
}

/** How many compacted txns stay readable (log files not yet purged). */
const KEPT_COMPACTED_TXNS = 48;

export const CALM: FaultProfile = {
  dropRate: 0,
  dupRate: 0,
  minDelay: 1,
  maxDelay: 1,
  slowRate: 0,
  slowDelay: 0,
  fsyncMaxDelay: 1,
  logReadDeclineRate: 0,
  chaosEveryMean: 0,
};

export interface SimOptions {
  seed: number;
  voters: number;
  observers?: number;
  /** Servers in no config at first, running as would-be members until a reconfig adds them. */
  spares?: number;
  /** Mean time between random reconfigs (leader proposes a random new config); 0: none. */
  reconfigEveryMean?: number;
  faults?: Partial<FaultProfile>;
  timing?: Partial<Omit<ZabConfig, "myId" | "voters" | "observers">>;
  /** Mean time between random client writes; 0 disables them. */
  proposeEveryMean?: number;
  /** Mean time between per-server snapshots (log compaction); 0 disables them. */
  compactEveryMean?: number;
  trace?: boolean;
}

interface Disk {
  acceptedEpoch: number;
  currentEpoch: number;
  snapshotZxid: number;
  snapshotApplied: LogEntry[];
  log: LogEntry[];
  durableLen: number;
  /**
   * The newest txns a compaction took out of `log`, still in log files as a real server keeps
   * them until later snapshots let them be purged: only a readLog sees them.
   */
  compacted: LogEntry[];
  /**
   * A compaction took txns not yet synced: until the next fsync they are in the snapshot but not
   * for sure in the log files, and a crash meanwhile leaves a log that restarts after the snapshot.
   */
  compactedUnsynced: boolean;
  /** The active config as last written by activateConfig (undefined: the static one). */
  config?: QuorumConfig;
}

interface SimServer {
  id: number;
  up: boolean;
  boot: number;
  peer: ZabPeer | null;
  disk: Disk;
  /** The data-tree model: every txn applied since the beginning, in order. */
  applied: LogEntry[];
  fsyncPending: boolean;
  /** A stalled process (GC pause, SIGSTOP): misses its ticks, its inbound events wait. */
  paused: boolean;
  held: SimEvent[];
  /** Stopped by a `removed` effect (until the next boot). */
  removed: boolean;
}

type SimEvent =
  | { kind: "deliver"; from: number; to: number; msg: PeerMessage }
  | { kind: "tick"; sid: number; boot: number }
  | { kind: "fsync"; sid: number; boot: number }
  /** A readLog effect's answer, after the read took its time. */
  | { kind: "logRead"; sid: number; boot: number; to: number; conn: number; entries: LogEntry[] | null }
  | { kind: "restart"; sid: number }
  | { kind: "chaos" }
  | { kind: "client" }
  | { kind: "reconfig" }
  | { kind: "compact"; sid: number };

interface Queued {
  at: number;
  seq: number;
  ev: SimEvent;
}

/** A sweep run with a non-default fault duration must be replayed with the same one. */
function chaosEnv(): string {
  const ticks = process.env.SIM_CHAOS_TICKS;
  return ticks === undefined ? "" : `SIM_CHAOS_TICKS=${ticks} `;
}

export class SimulationError extends Error {
  /** `replayEnv`: what else the replay needs, e.g. "SIM_MODE=reconfig ". */
  constructor(seed: number, at: number, message: string, replayEnv = "") {
    super(
      `seed ${seed} t=${at}: ${message}\nreproduce: ${chaosEnv()}${replayEnv}SEED=${seed} npx vitest run packages/server/test/zab/sim.test.ts`,
    );
    this.name = "SimulationError";
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function payloadText(p: Uint8Array): string {
  return decoder.decode(p);
}

function samePayload(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class Simulator {
  readonly seed: number;
  readonly rand: () => number;
  readonly voters: number[];
  readonly observers: number[];
  readonly faults: FaultProfile;
  readonly trace: string[] = [];
  readonly stats = {
    events: 0,
    delivered: 0,
    dropped: 0,
    crashes: 0,
    partitions: 0,
    diff: 0,
    trunc: 0,
    snap: 0,
    /** readLog effects, and those answered with records (the rest were declined). */
    logReads: 0,
    logReadsAnswered: 0,
    establishments: 0,
    proposals: 0,
    reconfigs: 0,
    reconfigsRefused: 0,
    activations: 0,
    removals: 0,
    handOvers: 0,
  };
  /** The one committed sequence every server's applied state must be a prefix of. */
  readonly committed: LogEntry[] = [];
  readonly epochLeaders = new Map<number, number>();
  /** Every config the committed sequence made, by version (0: the static one). */
  readonly committedConfigs = new Map<number, QuorumConfig>();
  /** The config of the last reconfig entry in the committed sequence. */
  latestConfig: QuorumConfig;
  readonly spares: number[];
  now = 0;

  private readonly servers = new Map<number, SimServer>();
  private readonly config: Omit<ZabConfig, "myId">;
  private readonly heap: Queued[] = [];
  private seqCounter = 0;
  private readonly blocked = new Set<number>();
  private readonly traceOn: boolean;
  private proposeEveryMean: number;
  private compactEveryMean: number;
  private reconfigEveryMean: number;
  private readonly withReconfig: boolean;
  private payloadCounter = 0;
  private eventsSinceDurabilityCheck = 0;

  constructor(opts: SimOptions) {
    this.seed = opts.seed;
    this.rand = rng(opts.seed);
    this.voters = Array.from({ length: opts.voters }, (_, i) => i + 1);
    this.observers = Array.from({ length: opts.observers ?? 0 }, (_, i) => opts.voters + i + 1);
    const firstSpare = opts.voters + (opts.observers ?? 0) + 1;
    this.spares = Array.from({ length: opts.spares ?? 0 }, (_, i) => firstSpare + i);
    this.faults = { ...CALM, ...opts.faults };
    this.traceOn = opts.trace ?? false;
    this.proposeEveryMean = opts.proposeEveryMean ?? 0;
    this.compactEveryMean = opts.compactEveryMean ?? 0;
    this.reconfigEveryMean = opts.reconfigEveryMean ?? 0;
    this.withReconfig = this.reconfigEveryMean > 0;
    this.config = { ...DEFAULT_TIMING, ...opts.timing, voters: this.voters, observers: this.observers };
    this.latestConfig = { version: 0, voters: this.voters.slice(), observers: this.observers.slice() };
    this.committedConfigs.set(0, this.latestConfig);
    for (const id of [...this.voters, ...this.observers, ...this.spares]) {
      this.servers.set(id, {
        id,
        up: false,
        boot: 0,
        peer: null,
        disk: {
          acceptedEpoch: 0,
          currentEpoch: 0,
          snapshotZxid: 0,
          snapshotApplied: [],
          log: [],
          durableLen: 0,
          compacted: [],
          compactedUnsynced: false,
        },
        applied: [],
        fsyncPending: false,
        paused: false,
        held: [],
        removed: false,
      });
    }
    for (const id of this.servers.keys()) this.boot(id);
    if (this.faults.chaosEveryMean > 0)
      this.schedule(this.expDelay(this.faults.chaosEveryMean), { kind: "chaos" });
    if (this.proposeEveryMean > 0) this.schedule(this.expDelay(this.proposeEveryMean), { kind: "client" });
    if (this.reconfigEveryMean > 0)
      this.schedule(this.expDelay(this.reconfigEveryMean), { kind: "reconfig" });
    if (this.compactEveryMean > 0) {
      for (const id of this.servers.keys())
        this.schedule(this.expDelay(this.compactEveryMean), { kind: "compact", sid: id });
    }
  }

  // ------------------------------------------------------------ randomness & queue

  int(min: number, max: number): number {
    return min + Math.floor(this.rand() * (max - min + 1));
  }

  private expDelay(mean: number): number {
    return Math.max(1, Math.round(-Math.log(1 - this.rand()) * mean));
  }

  private schedule(delay: number, ev: SimEvent): void {
    const q: Queued = { at: this.now + delay, seq: this.seqCounter++, ev };
    const h = this.heap;
    h.push(q);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const hp = h[p]!;
      if (hp.at < q.at || (hp.at === q.at && hp.seq < q.seq)) break;
      h[i] = hp;
      i = p;
    }
    h[i] = q;
  }

  private pop(): Queued | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      let c = l;
      if (r < h.length && (h[r]!.at < h[l]!.at || (h[r]!.at === h[l]!.at && h[r]!.seq < h[l]!.seq))) c = r;
      const hc = h[c]!;
      if (last.at < hc.at || (last.at === hc.at && last.seq < hc.seq)) break;
      h[i] = hc;
      i = c;
    }
    h[i] = last;
    return top;
  }

  private fail(message: string): never {
    throw new SimulationError(this.seed, this.now, message, this.replayEnv);
  }

  /** What a replay of this run needs besides the seed. */
  get replayEnv(): string {
    return this.withReconfig ? "SIM_MODE=reconfig " : "";
  }

  private log(line: string): void {
    if (this.traceOn) this.trace.push(`t=${this.now} ${line}`);
  }

  // ------------------------------------------------------------ running

  runUntil(time: number): void {
    for (;;) {
      const top = this.heap[0];
      if (top === undefined || top.at > time) break;
      this.pop();
      this.now = top.at;
      this.handle(top.ev);
      this.stats.events += 1;
      this.eventsSinceDurabilityCheck += 1;
      if (this.eventsSinceDurabilityCheck >= 256) {
        this.eventsSinceDurabilityCheck = 0;
        this.checkDurability();
      }
    }
    this.now = Math.max(this.now, time);
  }

  runTicks(ticks: number): void {
    this.runUntil(this.now + ticks * TIME_PER_TICK);
  }

  /** Run until pred holds (checked every tick) or the tick budget is spent; returns whether it held. */
  runUntilTrue(pred: () => boolean, maxTicks: number): boolean {
    for (let i = 0; i < maxTicks; i++) {
      if (pred()) return true;
      this.runTicks(1);
    }
    return pred();
  }

  private handle(ev: SimEvent): void {
    const target =
      ev.kind === "deliver"
        ? ev.to
        : ev.kind === "tick" || ev.kind === "fsync" || ev.kind === "logRead"
          ? ev.sid
          : null;
    if (target !== null) {
      const t = this.servers.get(target)!;
      if (t.paused) {
        if (ev.kind === "tick") this.schedule(TIME_PER_TICK, ev);
        else t.held.push(ev);
        return;
      }
    }
    switch (ev.kind) {
      case "deliver": {
        const s = this.servers.get(ev.to)!;
        if (!s.up || s.peer === null) {
          this.stats.dropped += 1;
          return;
        }
        this.stats.delivered += 1;
        this.feed(s, () => s.peer!.step({ type: "message", from: ev.from, msg: ev.msg }));
        return;
      }
      case "tick": {
        const s = this.servers.get(ev.sid)!;
        if (!s.up || s.boot !== ev.boot) return;
        this.schedule(TIME_PER_TICK, ev);
        this.feed(s, () => s.peer!.step({ type: "tick" }));
        return;
      }
      case "fsync": {
        const s = this.servers.get(ev.sid)!;
        if (!s.up || s.boot !== ev.boot) return;
        s.fsyncPending = false;
        s.disk.durableLen = s.disk.log.length;
        s.disk.compactedUnsynced = false;
        // Entries compacted into the durable snapshot count as persisted too.
        const last = s.disk.log[s.disk.log.length - 1]?.zxid ?? s.disk.snapshotZxid;
        this.feed(s, () => s.peer!.step({ type: "persisted", zxid: last }));
        return;
      }
      case "logRead": {
        const s = this.servers.get(ev.sid)!;
        if (!s.up || s.boot !== ev.boot) return;
        this.feed(s, () =>
          s.peer!.step({ type: "logRead", peer: ev.to, conn: ev.conn, entries: ev.entries }),
        );
        return;
      }
      case "restart":
        if (!this.servers.get(ev.sid)!.up) this.boot(ev.sid);
        return;
      case "chaos":
        if (this.faults.chaosEveryMean === 0) return;
        this.chaos();
        this.schedule(this.expDelay(this.faults.chaosEveryMean), ev);
        return;
      case "client":
        if (this.proposeEveryMean === 0) return;
        this.randomClientWrite();
        if (this.proposeEveryMean > 0) this.schedule(this.expDelay(this.proposeEveryMean), ev);
        return;
      case "compact":
        this.compact(ev.sid);
        if (this.compactEveryMean > 0) this.schedule(this.expDelay(this.compactEveryMean), ev);
        return;
      case "reconfig":
        if (this.reconfigEveryMean === 0) return;
        this.randomReconfig();
        this.schedule(this.expDelay(this.reconfigEveryMean), ev);
        return;
    }
  }

  /** Run one input on a server and carry out its effects, in order, like a runtime would. */
  /**
   * A stranger speaking as `from` to `to` over a link of its own (no quorum auth): that link
   * replaces the real one, `msg` arrives, and the real server dials again (its link replaces
   * the stranger's), as the runtime reports links (peerLinked).
   */
  forgeOverOwnLink(to: number, from: number, msg: PeerMessage): void {
    const s = this.servers.get(to)!;
    this.log(`forged ${from}->${to} ${msg.type}`);
    this.feed(s, () => s.peer!.step({ type: "peerLinked", peer: from }));
    this.feed(s, () => s.peer!.step({ type: "message", from, msg }));
    this.feed(s, () => s.peer!.step({ type: "peerLinked", peer: from }));
  }

  private feed(s: SimServer, input: () => void): void {
    const followUps: (() => void)[] = [input];
    while (followUps.length > 0) {
      const next = followUps.shift()!;
      if (!s.up || s.peer === null) return;
      next();
      for (const e of s.peer.takeEffects()) this.apply(s, e, followUps);
    }
  }

  private apply(s: SimServer, e: Effect, followUps: (() => void)[]): void {
    const d = s.disk;
    switch (e.kind) {
      case "send":
        this.sendMessage(s.id, e.to, e.msg);
        return;
      case "sendSnapshot": {
        const last = s.applied[s.applied.length - 1]?.zxid ?? 0;
        if (last !== e.msg.snapshotZxid) {
          this.fail(
            `s${s.id} asked to snapshot at ${formatZxid(e.msg.snapshotZxid)} but applied is at ${formatZxid(last)}`,
          );
        }
        this.stats.snap += 1;
        this.log(`${s.id}->${e.to} SNAP ${formatZxid(e.msg.snapshotZxid)}`);
        this.sendMessage(s.id, e.to, { ...e.msg, snapshot: encodeSnapshot(s.applied) });
        return;
      }
      case "readLog": {
        const entries =
          this.rand() < this.faults.logReadDeclineRate
            ? null
            : this.readDurableLog(d, e.fromZxid, e.throughZxid);
        this.stats.logReads += 1;
        if (entries !== null) this.stats.logReadsAnswered += 1;
        this.log(
          `${s.id} reads its log for ${e.to} from ${formatZxid(e.fromZxid)}: ${entries === null ? "declined" : `${entries.length} txns`}`,
        );
        this.schedule(this.int(1, this.faults.fsyncMaxDelay), {
          kind: "logRead",
          sid: s.id,
          boot: s.boot,
          to: e.to,
          conn: e.conn,
          entries,
        });
        return;
      }
      case "persistEpochs":
        if (e.acceptedEpoch < e.currentEpoch)
          this.fail(`s${s.id} persists accepted ${e.acceptedEpoch} < current ${e.currentEpoch}`);
        if (e.acceptedEpoch < d.acceptedEpoch || e.currentEpoch < d.currentEpoch) {
          this.fail(
            `s${s.id} epochs went backwards: (${d.acceptedEpoch},${d.currentEpoch}) -> (${e.acceptedEpoch},${e.currentEpoch})`,
          );
        }
        d.acceptedEpoch = e.acceptedEpoch;
        d.currentEpoch = e.currentEpoch;
        return;
      case "append": {
        let prev = d.log[d.log.length - 1]?.zxid ?? d.snapshotZxid;
        for (const entry of e.entries) {
          if (entry.zxid <= prev)
            this.fail(`s${s.id} appends ${formatZxid(entry.zxid)} after ${formatZxid(prev)}`);
          prev = entry.zxid;
          d.log.push(entry);
        }
        if (!s.fsyncPending) {
          s.fsyncPending = true;
          this.schedule(this.int(1, this.faults.fsyncMaxDelay), { kind: "fsync", sid: s.id, boot: s.boot });
        }
        return;
      }
      case "truncate": {
        let keep = d.log.length;
        while (keep > 0 && d.log[keep - 1]!.zxid > e.toZxid) keep--;
        d.log.length = keep;
        d.durableLen = Math.min(d.durableLen, keep);
        this.log(`${s.id} truncated to ${formatZxid(e.toZxid)}`);
        return;
      }
      case "installSnapshot": {
        const applied = decodeSnapshot(e.snapshot);
        this.checkPrefix(s.id, applied, "installed snapshot");
        d.snapshotZxid = e.zxid;
        d.snapshotApplied = applied;
        d.log = [];
        // A SNAP restarts the log files after it.
        d.compacted = [];
        d.durableLen = 0;
        s.applied = applied.slice();
        const peer = s.peer!;
        followUps.push(() => peer.step({ type: "snapshotLoaded", zxid: e.zxid }));
        return;
      }
      case "commit":
        for (const entry of e.entries) this.applyCommitted(s, entry);
        return;
      case "role": {
        this.log(
          `${s.id} ${e.role}${e.leader !== null ? ` leader=${e.leader}` : ""} epoch=${e.epoch}${e.serving ? " serving" : ""}`,
        );
        if (e.role === "leading" && e.serving) this.onEstablished(s, e.epoch);
        return;
      }
      case "request": {
        const peer = s.peer!;
        followUps.push(() => {
          if (peer.status().serving && peer.status().role === "leading") {
            this.stats.proposals += 1;
            peer.step({ type: "propose", payloads: [e.payload] });
          }
        });
        return;
      }
      case "log":
        if (e.message.includes("handed leadership to us")) this.stats.handOvers += 1;
        this.log(`${s.id} ${e.level}: ${e.message}`);
        return;
      case "syncDone":
        this.log(`${s.id} syncDone ${e.requestId}`);
        return;
      case "activateConfig": {
        const c = e.config;
        const before = d.config?.version ?? 0;
        if (c.version <= before) {
          this.fail(`s${s.id} activates config ${formatConfig(c)} after version ${formatZxid(before)}`);
        }
        // The active config on every server is one the log committed.
        const committed = this.committedConfigs.get(c.version);
        if (committed === undefined || !sameConfig(committed, c)) {
          this.fail(
            `s${s.id} activates config ${formatConfig(c)}, which the committed sequence does not hold`,
          );
        }
        d.config = c;
        this.stats.activations += 1;
        this.log(`${s.id} config ${formatConfig(c)}`);
        return;
      }
      case "removed":
        s.removed = true;
        this.stats.removals += 1;
        this.log(`${s.id} removed: ${e.reason}`);
        return;
      case "sessionTouches":
        this.log(
          `${s.id} sessionTouches from ${e.from}: ${e.touches.map((t) => `${t.sessionId}/${t.timeoutMs}`).join(",")}`,
        );
        return;
      case "revalidate":
        this.log(`${s.id} revalidate from ${e.from}: ${e.sessionId}/${e.timeoutMs}`);
        return;
      case "revalidated":
        this.log(`${s.id} revalidated ${e.sessionId} valid=${e.valid}`);
        return;
    }
  }

  private sendMessage(from: number, to: number, msg: PeerMessage): void {
    if (msg.type === "DIFF" || msg.type === "TRUNC") {
      if (msg.type === "DIFF") this.stats.diff += 1;
      else this.stats.trunc += 1;
      this.log(`${from}->${to} ${msg.type}${msg.type === "TRUNC" ? ` ${formatZxid(msg.truncZxid)}` : ""}`);
    }
    if (msg.type === "PROPOSAL" && this.traceOn) this.log(`${from}->${to} PROPOSAL x${msg.entries.length}`);
    if (this.blocked.has(from * 1024 + to)) {
      this.stats.dropped += 1;
      return;
    }
    const f = this.faults;
    if (f.dropRate > 0 && this.rand() < f.dropRate) {
      this.stats.dropped += 1;
      return;
    }
    const copies = f.dupRate > 0 && this.rand() < f.dupRate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      let delay = this.int(f.minDelay, f.maxDelay);
      if (f.slowRate > 0 && this.rand() < f.slowRate) delay += this.int(1, f.slowDelay);
      this.schedule(delay, { kind: "deliver", from, to, msg });
    }
  }

  // ------------------------------------------------------------ invariants

  private applyCommitted(s: SimServer, entry: LogEntry): void {
    const i = s.applied.length;
    const prev = s.applied[i - 1];
    if (prev !== undefined && entry.zxid <= prev.zxid) {
      this.fail(`s${s.id} applies ${formatZxid(entry.zxid)} after ${formatZxid(prev.zxid)}`);
    }
    const g = this.committed[i];
    if (g === undefined) {
      this.pushCommitted(entry);
    } else if (g.zxid !== entry.zxid || !samePayload(g.payload, entry.payload)) {
      this.fail(
        `s${s.id} applies #${i} ${formatZxid(entry.zxid)}=${payloadText(entry.payload)} but the committed ` +
          `sequence has ${formatZxid(g.zxid)}=${payloadText(g.payload)}`,
      );
    }
    s.applied.push(entry);
  }

  private pushCommitted(entry: LogEntry): void {
    this.committed.push(entry);
    if (entry.config) {
      // Config versions only grow along the committed sequence.
      if (entry.config.version !== entry.zxid || entry.config.version <= this.latestConfig.version) {
        this.fail(
          `committed reconfig ${formatZxid(entry.zxid)} has version ${formatZxid(entry.config.version)}`,
        );
      }
      this.committedConfigs.set(entry.config.version, entry.config);
      this.latestConfig = entry.config;
    }
  }

  private checkPrefix(sid: number, applied: LogEntry[], what: string): void {
    for (let i = 0; i < applied.length; i++) {
      const a = applied[i]!;
      const g = this.committed[i];
      if (g === undefined) {
        this.pushCommitted(a);
      } else if (g.zxid !== a.zxid || !samePayload(g.payload, a.payload)) {
        this.fail(`s${sid} ${what} #${i} is ${formatZxid(a.zxid)} but committed has ${formatZxid(g.zxid)}`);
      }
    }
  }

  private onEstablished(s: SimServer, epoch: number): void {
    this.stats.establishments += 1;
    const other = this.epochLeaders.get(epoch);
    if (other !== undefined && other !== s.id) {
      this.fail(`two established leaders in epoch ${epoch}: s${other} and s${s.id}`);
    }
    this.epochLeaders.set(epoch, s.id);
    // Primary integrity: the new leader's history holds every committed txn.
    const st = s.peer!.status();
    const lastCommitted = this.committed[this.committed.length - 1];
    if (lastCommitted !== undefined && s.applied.length < this.committed.length) {
      if (!hasEntry(s.peer!.logEntries(), lastCommitted)) {
        this.fail(
          `leader s${s.id} of epoch ${epoch} lacks committed ${formatZxid(lastCommitted.zxid)} (its last ${formatZxid(st.lastZxid)})`,
        );
      }
    }
  }

  /** Every committed txn is durable (snapshot or synced log) on a quorum of voters. */
  checkDurability(): void {
    const lengths: number[] = [];
    const voters = this.latestConfig.voters;
    for (const id of voters) {
      const d = this.servers.get(id)!.disk;
      let n = 0;
      for (const a of d.snapshotApplied) {
        if (this.committed[n]?.zxid !== a.zxid) break;
        n++;
      }
      if (n === d.snapshotApplied.length) {
        for (let j = 0; j < d.durableLen; j++) {
          const g = this.committed[n];
          const e = d.log[j]!;
          if (g === undefined || e.zxid > g.zxid) break;
          if (e.zxid < g.zxid) continue;
          if (!samePayload(e.payload, g.payload))
            this.fail(`s${id} logs a different txn at ${formatZxid(e.zxid)}`);
          n++;
        }
      }
      lengths.push(n);
    }
    lengths.sort((a, b) => b - a);
    const q = quorumSize(voters.length);
    const covered = lengths[q - 1]!;
    if (covered < this.committed.length) {
      this.fail(
        `committed ${formatZxid(this.committed[covered]!.zxid)} is durable on fewer than ${q} voters (prefix lengths ${lengths.join(",")})`,
      );
    }
  }

  // ------------------------------------------------------------ faults

  private boot(id: number): void {
    const s = this.servers.get(id)!;
    s.up = true;
    s.boot += 1;
    s.fsyncPending = false;
    s.removed = false;
    s.applied = s.disk.snapshotApplied.slice();
    this.checkPrefix(id, s.applied, "restored snapshot");
    const d = s.disk;
    s.peer = new ZabPeer(
      { ...this.config, myId: id },
      {
        acceptedEpoch: d.acceptedEpoch,
        currentEpoch: d.currentEpoch,
        snapshotZxid: d.snapshotZxid,
        log: d.log.slice(),
        connBase: s.boot * 2 ** 20,
        ...(d.config === undefined ? {} : { config: d.config }),
      },
    );
    this.log(`${id} boot #${s.boot}`);
    this.feed(s, () => {});
    this.schedule(this.int(1, TIME_PER_TICK), { kind: "tick", sid: id, boot: s.boot });
  }

  /** Power loss: memory is gone, the unsynced tail of the log survives only partly (a prefix). */
  crash(id: number, restartAfterTicks: number | null = null, keepUnsynced: "none" | "some" = "some"): void {
    const s = this.servers.get(id)!;
    if (!s.up) return;
    this.stats.crashes += 1;
    s.paused = false;
    s.held = [];
    const d = s.disk;
    const unsynced = d.log.length - d.durableLen;
    d.log.length = d.durableLen + (unsynced > 0 && keepUnsynced === "some" ? this.int(0, unsynced) : 0);
    d.durableLen = d.log.length;
    if (d.compactedUnsynced) d.compacted = [];
    d.compactedUnsynced = false;
    s.up = false;
    s.peer = null;
    s.removed = false;
    s.applied = [];
    this.log(`${id} crash (kept ${d.log.length} log entries)`);
    // The runtime's transport notices the dead link and says so (as peerDown), usually.
    for (const other of this.allIds()) {
      const o = this.servers.get(other)!;
      if (other !== id && o.up && o.peer !== null && this.rand() < 0.8) {
        this.feed(o, () => o.peer!.step({ type: "peerDown", peer: id }));
      }
    }
    if (restartAfterTicks !== null)
      this.schedule(restartAfterTicks * TIME_PER_TICK, { kind: "restart", sid: id });
  }

  pause(id: number): void {
    this.server(id).paused = true;
    this.log(`${id} paused`);
  }

  /** Resume a paused server: the events it missed arrive now, in their original order. */
  resume(id: number): void {
    const s = this.server(id);
    s.paused = false;
    const held = s.held;
    s.held = [];
    this.log(`${id} resumed`);
    for (const ev of held) this.schedule(0, ev);
  }

  /** Feed any input to a running server and carry out its effects. */
  input(id: number, input: ZabInput): void {
    const s = this.server(id);
    this.feed(s, () => s.peer!.step(input));
  }

  forward(id: number, text: string): void {
    const s = this.server(id);
    this.feed(s, () => s.peer!.step({ type: "forward", payload: encoder.encode(text) }));
  }

  sync(id: number, requestId: number): void {
    const s = this.server(id);
    this.feed(s, () => s.peer!.step({ type: "sync", requestId }));
  }

  restart(id: number): void {
    if (!this.servers.get(id)!.up) this.boot(id);
  }

  /** Lose the whole disk (operator replaced it); the server comes back empty. */
  wipe(id: number): void {
    const s = this.servers.get(id)!;
    this.crash(id);
    s.disk = {
      acceptedEpoch: 0,
      currentEpoch: 0,
      snapshotZxid: 0,
      snapshotApplied: [],
      log: [],
      durableLen: 0,
      compacted: [],
      compactedUnsynced: false,
    };
    this.log(`${id} disk wiped`);
  }

  block(from: number, to: number): void {
    this.blocked.add(from * 1024 + to);
  }

  unblock(from: number, to: number): void {
    this.blocked.delete(from * 1024 + to);
  }

  /** Cut every link between the groups (servers in no group keep all their links). */
  partition(...groups: number[][]): void {
    this.stats.partitions += 1;
    for (let i = 0; i < groups.length; i++) {
      for (let j = 0; j < groups.length; j++) {
        if (i === j) continue;
        for (const a of groups[i]!) for (const b of groups[j]!) this.block(a, b);
      }
    }
    this.log(`partition ${groups.map((g) => `{${g.join(",")}}`).join(" ")}`);
  }

  isolate(id: number): void {
    this.partition(
      [id],
      this.allIds().filter((x) => x !== id),
    );
  }

  heal(): void {
    this.blocked.clear();
    this.log("heal");
  }

  allIds(): number[] {
    return [...this.voters, ...this.observers, ...this.spares];
  }

  /** Servers named by the latest committed config: those that must serve once things calm down. */
  memberIds(): number[] {
    return [...this.latestConfig.voters, ...this.latestConfig.observers];
  }

  /** Leader only: propose a config change; returns the ZabError code when the leader refuses. */
  reconfig(leader: number, voters: number[], observers: number[]): string | null {
    const s = this.server(leader);
    this.payloadCounter += 1;
    const payload = encoder.encode(`cfg${this.payloadCounter}:${voters.join(",")}|${observers.join(",")}`);
    try {
      this.feed(s, () =>
        s.peer!.step({
          type: "reconfig",
          payload,
          voters,
          observers,
          members: new TextEncoder().encode(`voters ${voters.join(",")}`),
        }),
      );
    } catch (err) {
      if (err instanceof ZabError && err.code !== "INVARIANT" && err.code !== "RUNTIME_CONTRACT") {
        this.log(`${leader} reconfig refused: ${err.message}`);
        return err.code;
      }
      throw err;
    }
    this.log(`${leader} reconfig proposed: voters ${voters.join(",")} observers ${observers.join(",")}`);
    return null;
  }

  /**
   * A random new config over every server the simulation has: 1 to 5 voters (mostly 3 or 5),
   * some observers, proposed on the serving leader. A removed server is sometimes restarted
   * (it then waits to be added again, as an operator would do).
   */
  private randomReconfig(): void {
    for (const id of this.allIds()) {
      const s = this.servers.get(id)!;
      if (s.removed && this.rand() < 0.5) {
        this.crash(id, this.int(1, 10));
      }
    }
    const leader = this.servingLeaders()[0];
    if (leader === undefined) return;
    const order = this.shuffled(this.allIds());
    const r = this.rand();
    const voterCount = Math.min(order.length, r < 0.45 ? 3 : r < 0.8 ? 5 : r < 0.9 ? 4 : this.int(1, 2));
    const voters = order.slice(0, voterCount).sort((a, b) => a - b);
    const observers = order
      .slice(voterCount)
      .filter(() => this.rand() < 0.3)
      .sort((a, b) => a - b);
    const refused = this.reconfig(leader, voters, observers);
    if (refused === null) this.stats.reconfigs += 1;
    else this.stats.reconfigsRefused += 1;
  }

  private shuffled(ids: number[]): number[] {
    const a = ids.slice();
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  }

  private chaos(): void {
    const ids = this.allIds();
    const r = this.rand();
    if (r < 0.25) {
      const up = ids.filter((id) => this.servers.get(id)!.up);
      const victim = up[this.int(0, up.length - 1)];
      if (victim !== undefined) this.crash(victim, this.int(1, 30));
    } else if (r < 0.35) {
      // Crash the current leader: the hardest moment for the protocol.
      const leader = this.servingLeaders()[0];
      if (leader !== undefined) this.crash(leader, this.int(1, 20));
    } else if (r < 0.6) {
      this.heal();
      const order = this.shuffled(ids);
      const kind = this.int(0, 3);
      if (kind === 0) {
        this.isolate(order[0]!);
      } else if (kind === 1) {
        const cut = this.int(1, Math.floor(order.length / 2));
        this.partition(order.slice(0, cut), order.slice(cut));
      } else if (kind === 2) {
        // Asymmetric: some links work one way only.
        this.stats.partitions += 1;
        const links = this.int(1, ids.length);
        for (let i = 0; i < links; i++) {
          const a = order[this.int(0, order.length - 1)]!;
          const b = order[this.int(0, order.length - 1)]!;
          if (a !== b) this.block(a, b);
        }
        this.log("asymmetric partition");
      } else {
        // Bridge: two sides that cannot talk, one server that talks to both.
        const bridge = order[0]!;
        const rest = order.slice(1);
        const cut = Math.max(1, Math.floor(rest.length / 2));
        this.partition(rest.slice(0, cut), rest.slice(cut));
        this.log(`bridge ${bridge}`);
      }
    } else if (r < 0.85) {
      this.heal();
    } else {
      // Bursts of a lossy, duplicating, reordering network.
      const f = this.faults;
      f.dropRate = this.rand() < 0.5 ? 0 : this.rand() * 0.05;
      f.dupRate = this.rand() * 0.05;
      f.slowRate = this.rand() * 0.1;
    }
  }

  private randomClientWrite(): void {
    const ids = this.allIds();
    const s = this.servers.get(ids[this.int(0, ids.length - 1)]!)!;
    if (!s.up || s.peer === null) return;
    const st = s.peer.status();
    if (!st.serving) return;
    if (st.role === "leading") {
      const n = this.int(1, 3);
      const payloads = Array.from({ length: n }, () => this.nextPayload());
      this.stats.proposals += n;
      this.feed(s, () => s.peer!.step({ type: "propose", payloads }));
    } else {
      const payload = this.nextPayload();
      this.feed(s, () => s.peer!.step({ type: "forward", payload }));
    }
  }

  nextPayload(): Uint8Array {
    this.payloadCounter += 1;
    return encoder.encode(`w${this.payloadCounter}`);
  }

  /** A runtime's readLog: the durable records from fromZxid's own through throughZxid. */
  private readDurableLog(d: Disk, fromZxid: number, throughZxid: number): LogEntry[] | null {
    const durable = [...(d.compactedUnsynced ? [] : d.compacted), ...d.log.slice(0, d.durableLen)];
    const start = durable.findIndex((entry) => entry.zxid === fromZxid);
    if (start < 0) return null;
    const entries: LogEntry[] = [];
    for (let i = start; i < durable.length && durable[i]!.zxid <= throughZxid; i++) entries.push(durable[i]!);
    return entries;
  }

  /**
   * Snapshot what `id` has applied and drop those txns from its log (the newest stay readable in
   * `compacted` unless `purgeLogFiles`).
   */
  compact(id: number, purgeLogFiles = false): void {
    const s = this.servers.get(id)!;
    if (!s.up) return;
    const last = s.applied[s.applied.length - 1];
    const d = s.disk;
    if (last === undefined || last.zxid <= d.snapshotZxid) return;
    d.snapshotZxid = last.zxid;
    d.snapshotApplied = s.applied.slice();
    let drop = 0;
    while (drop < d.log.length && d.log[drop]!.zxid <= last.zxid) drop++;
    if (drop > d.durableLen) d.compactedUnsynced = true;
    d.compacted = [...d.compacted, ...d.log.splice(0, drop)].slice(-KEPT_COMPACTED_TXNS);
    if (purgeLogFiles) d.compacted = [];
    d.durableLen = Math.max(0, d.durableLen - drop);
  }

  // ------------------------------------------------------------ inspection & driving

  server(id: number): SimServer {
    const s = this.servers.get(id);
    if (s === undefined) throw new Error(`no server ${id}`);
    return s;
  }

  status(id: number): ZabStatus | null {
    return this.server(id).peer?.status() ?? null;
  }

  servingLeaders(): number[] {
    return this.allIds().filter((id) => {
      const st = this.status(id);
      return st !== null && st.role === "leading" && st.serving;
    });
  }

  /**
   * One serving leader that every up member of its config serves with; null otherwise. Servers
   * its config does not name (removed, or never added) do not count, but must not serve.
   */
  stableLeader(): number | null {
    const leaders = this.servingLeaders().filter((id) => !this.server(id).paused);
    if (leaders.length !== 1) return null;
    const leader = leaders[0]!;
    const config = this.status(leader)!.config;
    if (config.version !== this.latestConfig.version) return null;
    const members = new Set([...config.voters, ...config.observers]);
    for (const id of this.allIds()) {
      const st = this.status(id);
      if (st === null || this.server(id).paused) continue;
      if (!members.has(id)) {
        if (st.serving && st.leader !== leader) return null;
        continue;
      }
      if (!st.serving || st.leader !== leader) return null;
    }
    return leader;
  }

  propose(id: number, ...texts: string[]): void {
    const s = this.server(id);
    const payloads = texts.map((t) => encoder.encode(t));
    this.stats.proposals += payloads.length;
    this.feed(s, () => s.peer!.step({ type: "propose", payloads }));
  }

  /** The client writes a server applied, in order (reconfig entries left out). */
  appliedTexts(id: number): string[] {
    return this.server(id)
      .applied.filter((e) => !e.config)
      .map((e) => payloadText(e.payload));
  }

  setFaults(f: Partial<FaultProfile>): void {
    Object.assign(this.faults, f);
  }

  stopRandomActivity(): void {
    this.faults.chaosEveryMean = 0;
    this.proposeEveryMean = 0;
    this.reconfigEveryMean = 0;
  }
}

function hasEntry(log: readonly LogEntry[], target: LogEntry): boolean {
  let lo = 0;
  let hi = log.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const e = log[mid]!;
    if (e.zxid === target.zxid) return samePayload(e.payload, target.payload);
    if (e.zxid < target.zxid) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

function encodeSnapshot(applied: LogEntry[]): Uint8Array {
  return encoder.encode(
    JSON.stringify(applied.map((e) => [e.zxid, payloadText(e.payload), e.config ?? null])),
  );
}

function decodeSnapshot(bytes: Uint8Array): LogEntry[] {
  const rows = JSON.parse(decoder.decode(bytes)) as [number, string, QuorumConfig | null][];
  return rows.map(([zxid, text, config]) => ({
    zxid,
    payload: encoder.encode(text),
    ...(config ? { config } : {}),
  }));
}
