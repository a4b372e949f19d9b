// The ZooKeeper operations (create, getData, multi, watches, auth, ...) on top of the session
// core (client-session.ts): each validates its path, sends one request and decodes its reply.

import type { ACL, ClientInfo, OpResult, Request, Stat } from "@paddock/jute";
import {
  AddWatchMode,
  ErrorCode,
  KeeperState,
  OpCode,
  readAclList,
  readClientInfo,
  readMultiResponse,
  readStat,
  WatcherType,
} from "@paddock/jute";
import { abortable, type WaitOptions, waitSignal } from "./abort.js";
import { AsyncQueue } from "./async-queue.js";
import type { ClientState, CreateOptions, RawReply, ZooKeeperClientOptions } from "./client-options.js";
import { ClientSession } from "./client-session.js";
import type { AuthEntry } from "./connection-state.js";
import type { ConnectionStateChange } from "./connection-tracker.js";
import type { Data } from "./data.js";
import { EnsembleTracker } from "./ensemble-tracker.js";
import { zooKeeperError } from "./errors.js";
import { prependChroot, stripChroot } from "./paths.js";
import { toBuffer } from "./requests.js";
import { ExponentialBackoffRetry, type RetryPolicy, withRetry } from "./retry.js";
import type { MultiReadOp, Op } from "./transaction.js";
import { Transaction } from "./transaction.js";
import type { WatchedEvent, Watcher } from "./watches.js";

/**
 * A promise-based ZooKeeper client speaking the jute protocol over one TCP connection at a time,
 * moving between the hosts of the connect string and keeping its session across reconnects.
 */
/** Where the ensemble's dynamic configuration lives; a chroot does not apply to it. */
const CONFIG_NODE = "/zookeeper/config";

export class ZooKeeperClient extends ClientSession {
  /** How `retry()` and the recipes retry after ConnectionLoss. */
  readonly retryPolicy: RetryPolicy;

  constructor(options: ZooKeeperClientOptions) {
    super(options);
    this.retryPolicy = options.retryPolicy ?? new ExponentialBackoffRetry({ random: options.random });
    if (options.followEnsemble === true) {
      const tracker = new EnsembleTracker(this);
      // Each new connection reads the config again: a reconfig may have happened meanwhile.
      this.on("state", (state) => {
        if (state === "connected") tracker.refresh();
      });
    }
  }

  /**
   * Runs `attempt` again after retryable failures (ConnectionLoss, OperationTimeout,
   * SessionMoved) as the client's retry policy allows. Only for operations that are safe to
   * repeat: a create that may have happened is not (use the recipes' protected creates).
   */
  retry<T>(attempt: () => Promise<T>, opts: { signal?: AbortSignal } = {}): Promise<T> {
    return withRetry(this.retryPolicy, attempt, opts);
  }

  /** Resolves once connected (read-write, or read-only when allowed); starts connecting if needed. */
  async waitForConnection(opts: WaitOptions = {}): Promise<void> {
    if (this.terminal) throw this.terminalError();
    if (this.state === "connected") return;
    const wait = waitSignal("waitForConnection", opts);
    try {
      await abortable(
        new Promise<void>((resolve, reject) => {
          const onState = (state: ClientState) => {
            if (state === "connected") {
              this.off("state", onState);
              resolve();
            } else if (this.terminal) {
              this.off("state", onState);
              reject(this.terminalError());
            }
          };
          this.on("state", onState);
          wait.signal.addEventListener("abort", () => this.off("state", onState), { once: true });
          if (!this.started) void this.connect().catch(() => {});
        }),
        wait.signal,
      );
    } finally {
      wait.dispose();
    }
  }

  /**
   * Every change under a persistent watch on `path` (recursive: the whole subtree), as an async
   * iterator: `for await (const event of client.watch("/config")) ...`. Breaking out of the loop
   * or aborting `signal` removes the watch. The watch survives reconnections (changes made while
   * disconnected are not replayed: re-read after RECONNECTED); the loop throws
   * SessionExpiredError when the session ends. Needs ZooKeeper 3.6+ (addWatch).
   */
  watch(
    path: string,
    opts: { recursive?: boolean; signal?: AbortSignal } = {},
  ): AsyncIterableIterator<WatchedEvent> {
    const mode = opts.recursive === true ? AddWatchMode.PersistentRecursive : AddWatchMode.Persistent;
    let registered = false;
    const unregister = () => {
      if (!this.terminal) void this.removeWatches(path, WatcherType.Any, { listener }).catch(() => {});
    };
    const queue = new AsyncQueue<WatchedEvent>(opts.signal, () => {
      if (registered) unregister();
    });
    const listener: Watcher = (event) => {
      if (event.state === KeeperState.Expired) queue.fail(zooKeeperError(ErrorCode.SessionExpired, path));
      else queue.push(event);
    };
    this.addWatch(path, mode, listener).then(
      () => {
        registered = true;
        if (queue.closed) unregister();
      },
      (e: unknown) => queue.fail(e),
    );
    return queue;
  }

  /** Connection state changes from now on, as an async iterator (ends when the client closes). */
  connectionStates(opts: { signal?: AbortSignal } = {}): AsyncIterableIterator<ConnectionStateChange> {
    const onChange = (change: ConnectionStateChange) => queue.push(change);
    const onEnd = () => queue.end();
    const queue = new AsyncQueue<ConnectionStateChange>(opts.signal, () => {
      this.off("connectionState", onChange);
      this.off("closed", onEnd);
    });
    this.on("connectionState", onChange);
    this.on("closed", onEnd);
    if (this.terminal) queue.end();
    return queue;
  }

  /** Sends any request as-is (no chroot, no validation) and returns the raw reply. For tests. */
  async sendRaw(req: Request): Promise<RawReply> {
    const reply = await this.submit(req);
    const r = reply.reader;
    return { zxid: reply.zxid, err: reply.err, body: Buffer.from(r.buf.subarray(r.offset, r.end)) };
  }

  /** Creates a node and returns its actual path (with the sequence suffix, if any). */
  async create(path: string, data?: Data, options: CreateOptions = {}): Promise<string> {
    return (await this.createInternal(path, data, options, false)).path;
  }

  /** Like create, but also returns the new node's stat (opcode create2). */
  async create2(
    path: string,
    data?: Data,
    options: CreateOptions = {},
  ): Promise<{ path: string; stat: Stat }> {
    const res = await this.createInternal(path, data, options, true);
    return { path: res.path, stat: res.stat as Stat };
  }

  private async createInternal(
    path: string,
    data: Data,
    options: CreateOptions,
    wantStat: boolean,
  ): Promise<{ path: string; stat?: Stat }> {
    const req = this.createRequest(path, data, options, wantStat);
    const r = await this.call(req, path);
    const created = stripChroot(this.chroot, r.readPath());
    return req.type === OpCode.create ? { path: created } : { path: created, stat: readStat(r) };
  }

  /** Builds the create request for `mode`: containers use opcode 19, TTL nodes opcode 21. */
  createRequest(path: string, data: Data, options: CreateOptions, wantStat: boolean): Request {
    return this.requests.create(path, data, options, wantStat);
  }

  /** Deletes a node; version -1 matches any version. */
  async delete(path: string, version = -1): Promise<void> {
    await this.call({ type: OpCode.delete, path: this.serverPath(path), version }, path);
  }

  /** The node's stat, or null when it does not exist. A watcher is registered in both cases. */
  async exists(path: string, watcher?: Watcher): Promise<Stat | null> {
    const serverPath = this.serverPath(path);
    const reply = await this.submit(
      { type: OpCode.exists, path: serverPath, watch: watcher !== undefined },
      watcher === undefined
        ? undefined
        : (err) => {
            if (err === ErrorCode.OK) this.watches.addData(path, watcher);
            else if (err === ErrorCode.NoNode) this.watches.addExist(path, watcher);
          },
    );
    if (reply.err === ErrorCode.NoNode) return null;
    if (reply.err !== ErrorCode.OK) throw zooKeeperError(reply.err, path);
    return readStat(reply.reader);
  }

  async getData(path: string, watcher?: Watcher): Promise<{ data: Buffer | null; stat: Stat }> {
    const r = await this.call(
      { type: OpCode.getData, path: this.serverPath(path), watch: watcher !== undefined },
      path,
      this.registerOnOk(watcher, (w) => this.watches.addData(path, w)),
    );
    return { data: r.readBuffer(), stat: readStat(r) };
  }

  /**
   * The ensemble's dynamic configuration, as ZooKeeper's getConfig reads it: /zookeeper/config,
   * outside any chroot, holding `server.N=...` lines and `version=<hex>`. A watcher hears of the
   * next reconfig.
   */
  async getConfig(watcher?: Watcher): Promise<{ data: Buffer | null; stat: Stat }> {
    const r = await this.call(
      { type: OpCode.getData, path: CONFIG_NODE, watch: watcher !== undefined },
      CONFIG_NODE,
      this.registerOnOk(watcher, (w) => this.watches.addData(CONFIG_NODE, w)),
    );
    return { data: r.readBuffer(), stat: readStat(r) };
  }

  /**
   * ZooKeeper's reconfig (ZooKeeperAdmin#reconfigure): changes the ensemble's members while it
   * serves. Incremental with `joining` (server lines, `server.N=host:port:port[:role];[host:]port`)
   * and `leaving` (server ids), or whole with `newMembers`; `fromConfig` (-1: any) must be the
   * version of the config the change starts from. Needs the super user (unless the servers skip
   * ACLs) and `reconfigEnabled=true`. Returns the new /zookeeper/config.
   */
  async reconfig(change: {
    joining?: string | readonly string[];
    leaving?: string | number | readonly (string | number)[];
    newMembers?: string | readonly string[];
    fromConfig?: number;
  }): Promise<{ data: Buffer | null; stat: Stat }> {
    const list = (v: string | number | readonly (string | number)[] | undefined): string | null =>
      v === undefined ? null : typeof v === "string" || typeof v === "number" ? String(v) : v.join(",");
    const r = await this.call(
      {
        type: OpCode.reconfig,
        joiningServers: list(change.joining),
        leavingServers: list(change.leaving),
        newMembers: list(change.newMembers),
        curConfigId: change.fromConfig ?? -1,
      },
      // ZooKeeper's reconfig errors carry an empty path (zkCli prints "Insufficient permission : ").
      "",
    );
    return { data: r.readBuffer(), stat: readStat(r) };
  }

  async setData(path: string, data: Data, version = -1): Promise<Stat> {
    const r = await this.call(
      { type: OpCode.setData, path: this.serverPath(path), data: toBuffer(data), version },
      path,
    );
    return readStat(r);
  }

  async getACL(path: string): Promise<{ acl: ACL[]; stat: Stat }> {
    const r = await this.call({ type: OpCode.getACL, path: this.serverPath(path) }, path);
    return { acl: readAclList(r) ?? [], stat: readStat(r) };
  }

  /** Replaces the ACL; `version` is the expected aversion (-1 = any). */
  async setACL(path: string, acl: readonly ACL[], version = -1): Promise<Stat> {
    const r = await this.call(
      { type: OpCode.setACL, path: this.serverPath(path), acl: [...acl], version },
      path,
    );
    return readStat(r);
  }

  async getChildren(path: string, watcher?: Watcher): Promise<string[]> {
    const r = await this.call(
      { type: OpCode.getChildren, path: this.serverPath(path), watch: watcher !== undefined },
      path,
      this.registerOnOk(watcher, (w) => this.watches.addChild(path, w)),
    );
    return r.readStringVector() ?? [];
  }

  /** Children plus the parent's stat (opcode getChildren2). */
  async getChildren2(path: string, watcher?: Watcher): Promise<{ children: string[]; stat: Stat }> {
    const r = await this.call(
      { type: OpCode.getChildren2, path: this.serverPath(path), watch: watcher !== undefined },
      path,
      this.registerOnOk(watcher, (w) => this.watches.addChild(path, w)),
    );
    return { children: r.readStringVector() ?? [], stat: readStat(r) };
  }

  /** Number of all descendants of `path`. */
  async getAllChildrenNumber(path: string): Promise<number> {
    const r = await this.call({ type: OpCode.getAllChildrenNumber, path: this.serverPath(path) }, path);
    return r.readInt();
  }

  /** Ephemeral nodes of this session whose path starts with `prefixPath` (plain string prefix). */
  async getEphemerals(prefixPath = "/"): Promise<string[]> {
    const serverPrefix = prependChroot(this.chroot, prefixPath);
    const r = await this.call({ type: OpCode.getEphemerals, prefixPath: serverPrefix }, prefixPath);
    return (r.readStringVector() ?? []).map((p) => stripChroot(this.chroot, p));
  }

  /** Waits until the connected server has caught up with the leader for `path`. */
  async sync(path: string): Promise<string> {
    const r = await this.call({ type: OpCode.sync, path: this.serverPath(path) }, path);
    return stripChroot(this.chroot, r.readPath());
  }

  /** Runs the ops atomically; on failure throws the first op error with `results` attached. */
  async multi(ops: readonly Op[]): Promise<OpResult[]> {
    const requests = ops.map((op) => this.requests.op(op));
    const r = await this.call({ type: OpCode.multi, ops: requests }, undefined);
    const results = readMultiResponse(r).map((res) => this.requests.stripResult(res));
    const failed = results.findIndex((res) => res.type === OpCode.error && res.err !== ErrorCode.OK);
    if (failed >= 0) {
      const res = results[failed] as { type: OpCode.error; err: number };
      const err = zooKeeperError(res.err, ops[failed]?.path);
      err.results = results;
      throw err;
    }
    return results;
  }

  /** A builder collecting ops for one `multi`. */
  transaction(): Transaction {
    return new Transaction((ops) => this.multi(ops));
  }

  /** Independent reads in one round trip; failures are per-op error results, not exceptions. */
  async multiRead(ops: readonly MultiReadOp[]): Promise<OpResult[]> {
    const requests: Request[] = ops.map((op) => ({
      type: op.type === "getData" ? OpCode.getData : OpCode.getChildren,
      path: this.serverPath(op.path),
      watch: false,
    }));
    const r = await this.call({ type: OpCode.multiRead, ops: requests }, undefined);
    return readMultiResponse(r);
  }

  /** Registers a persistent (or persistent recursive) watch; it stays until removed. */
  async addWatch(path: string, mode: AddWatchMode, listener: Watcher): Promise<void> {
    await this.call({ type: OpCode.addWatch, path: this.serverPath(path), mode }, path, (err) => {
      if (err === ErrorCode.OK) this.watches.addPersistent(path, mode, listener);
    });
  }

  /**
   * Removes watches of `type` on `path`: only `listener` when given (the server's watch is
   * removed once no listener of that kind is left). `local` skips the server, e.g. while
   * disconnected. Removed listeners receive a *WatchRemoved event. On ZooKeeper 3.8 use
   * WatcherType.Any to remove persistent watches (types 4/5 are 3.9+).
   */
  async removeWatches(
    path: string,
    type: WatcherType,
    options: { listener?: Watcher; local?: boolean } = {},
  ): Promise<void> {
    const serverPath = this.serverPath(path);
    const { listener, local = false } = options;
    if (listener !== undefined && !this.watches.has(path, type, listener)) {
      throw zooKeeperError(ErrorCode.NoWatcher, path);
    }
    let askServer = !local;
    if (listener !== undefined && this.watches.hasOther(path, type, listener)) {
      // Other listeners of the same kind still need the server-side watch.
      askServer = false;
    }
    if (askServer) {
      await this.call({ type: OpCode.removeWatches, path: serverPath, watcherType: type }, path);
    } else if (listener === undefined && !this.watches.has(path, type)) {
      throw zooKeeperError(ErrorCode.NoWatcher, path);
    }
    const removed = this.watches.remove(path, type, listener);
    for (const [w, eventType] of removed) {
      this.deliver(w, { type: eventType, state: KeeperState.SyncConnected, path });
    }
  }

  /** Resolves when the server holds a watch of `type` on `path` for this connection. */
  async checkWatches(path: string, type: WatcherType): Promise<void> {
    await this.call({ type: OpCode.checkWatches, path: this.serverPath(path), watcherType: type }, path);
  }

  /** Adds an identity (e.g. "digest", "user:password"); it is re-sent after every reconnect. */
  addAuth(scheme: string, auth: Buffer | string): Promise<void> {
    if (this.terminal) return Promise.reject(this.terminalError());
    const entry: AuthEntry = {
      scheme,
      auth: typeof auth === "string" ? Buffer.from(auth) : Buffer.from(auth),
    };
    this.authInfo.push(entry);
    return new Promise<void>((resolve, reject) => {
      this.authWaiting.set(entry, [{ resolve, reject }]);
      const conn = this.conn;
      if (conn?.established) this.writeAuth(conn, entry);
      else if (!this.started) void this.connect().catch(() => {});
    });
  }

  /** The identities the server associates with this connection. */
  async whoAmI(): Promise<ClientInfo[]> {
    const r = await this.call({ type: OpCode.whoAmI }, undefined);
    return r.readVector(readClientInfo) ?? [];
  }

  private registerOnOk(
    watcher: Watcher | undefined,
    register: (w: Watcher) => void,
  ): ((err: number) => void) | undefined {
    if (watcher === undefined) return undefined;
    return (err) => {
      if (err === ErrorCode.OK) register(watcher);
    };
  }
}
