import type { ClientState, Stat, WatchedEvent, Watcher } from "@paddock/client";
import {
  AddWatchMode,
  CreateMode,
  ErrorCode,
  EventType,
  InvalidPathError,
  KeeperState,
  OPEN_ACL_UNSAFE,
  WatcherType,
  ZooKeeperClient,
  ZooKeeperError,
} from "@paddock/client";
import { parseAcl } from "./acl-parser.js";
import { CliError } from "./cli-error.js";
import { configCommand } from "./config-command.js";
import { formatAcl, formatStat, formatWatchedEvent, javaList } from "./format.js";
import type { CliOutput } from "./output.js";
import { delQuota, listQuota, quotaOption, setQuota } from "./quota.js";
import { RECONFIG_USAGE, reconfigCommand } from "./reconfig-command.js";
import { tokenize } from "./tokenize.js";
import { CLI_VERSION_LINE } from "./version.js";

export type { CliOutput };

export interface CliSessionOptions {
  output: CliOutput;
  /** "host:port[,host:port][/chroot]"; default localhost:2181. */
  server?: string;
  timeoutMs?: number;
  readOnly?: boolean;
  /** Connect over TLS with these options (from -client-configuration). */
  tls?: import("node:tls").ConnectionOptions;
  /** Use this client instead of creating one; the session does not close it on its own. */
  client?: ZooKeeperClient;
  /** Print session events (connected, disconnected, closed) like the interactive zkCli. */
  printSessionEvents?: boolean;
  /** Time zone for ctime/mtime; default the process's. */
  timeZone?: string;
}

interface OptionSpec {
  /** Single-letter flags without a value. */
  flags?: string;
  /** Single-letter options taking a value. */
  values?: string;
}

interface Parsed {
  args: string[];
  opts: Map<string, string | true>;
}

interface Command {
  usage: string;
  spec: OptionSpec;
  /** Commands that work without a live session (connect, close, quit...). */
  offline?: boolean;
  /** Commands that parse their own word options (reconfig's -add, -remove...): tokens as args. */
  raw?: boolean;
  run(s: CliSession, p: Parsed): Promise<number | undefined>;
}

const ADD_WATCH_USAGE =
  "[-m mode] path # optional mode is one of [PERSISTENT, PERSISTENT_RECURSIVE] - default is PERSISTENT_RECURSIVE";

/** zkCli's command table (the subset Paddock supports), in its `help` order. */
const COMMANDS: Record<string, Command> = {
  addWatch: { usage: ADD_WATCH_USAGE, spec: { values: "m" }, run: (s, p) => s.addWatch(p) },
  addauth: { usage: "scheme auth", spec: {}, run: (s, p) => s.addAuth(p) },
  close: { usage: "", spec: {}, offline: true, run: (s) => s.closeCommand() },
  config: { usage: "[-c] [-w] [-s]", spec: { flags: "cws" }, run: (s, p) => s.config(p) },
  connect: { usage: "host:port", spec: {}, offline: true, run: (s, p) => s.connectCommand(p) },
  create: {
    usage: "[-s] [-e] [-c] [-t ttl] path [data] [acl]",
    spec: { flags: "sec", values: "t" },
    run: (s, p) => s.create(p),
  },
  delete: { usage: "[-v version] path", spec: { values: "v" }, run: (s, p) => s.delete(p) },
  deleteall: { usage: "path [-b batch size]", spec: { values: "b" }, run: (s, p) => s.deleteAll(p) },
  delquota: { usage: "[-n|-b|-N|-B] path", spec: { flags: "nbNB" }, run: (s, p) => s.delQuota(p) },
  get: { usage: "[-s] [-w] path", spec: { flags: "sw" }, run: (s, p) => s.get(p) },
  getAcl: { usage: "[-s] path", spec: { flags: "s" }, run: (s, p) => s.getAcl(p) },
  getAllChildrenNumber: { usage: "path", spec: {}, run: (s, p) => s.getAllChildrenNumber(p) },
  getEphemerals: { usage: "path", spec: {}, run: (s, p) => s.getEphemerals(p) },
  history: { usage: "", spec: {}, offline: true, run: (s) => s.historyCommand() },
  listquota: { usage: "path", spec: {}, run: (s, p) => s.listQuota(p) },
  ls: { usage: "[-s] [-w] [-R] path", spec: { flags: "swR" }, run: (s, p) => s.ls(p) },
  printwatches: { usage: "on|off", spec: {}, offline: true, run: (s, p) => s.printWatchesCommand(p) },
  quit: { usage: "", spec: {}, offline: true, run: (s) => s.quitCommand() },
  reconfig: { usage: RECONFIG_USAGE, spec: {}, raw: true, run: (s, p) => s.reconfig(p) },
  redo: { usage: "cmdno", spec: {}, offline: true, run: (s, p) => s.redoCommand(p) },
  removewatches: {
    usage: "path [-c|-d|-a] [-l]",
    spec: { flags: "cdal" },
    run: (s, p) => s.removeWatches(p),
  },
  set: { usage: "[-s] [-v version] path data", spec: { flags: "s", values: "v" }, run: (s, p) => s.set(p) },
  setAcl: {
    usage: "[-s] [-v version] [-R] path acl",
    spec: { flags: "sR", values: "v" },
    run: (s, p) => s.setAcl(p),
  },
  setquota: { usage: "-n|-b|-N|-B val path", spec: { values: "nbNB" }, run: (s, p) => s.setQuota(p) },
  stat: { usage: "[-w] path", spec: { flags: "w" }, run: (s, p) => s.stat(p) },
  sync: { usage: "path", spec: {}, run: (s, p) => s.sync(p) },
  version: { usage: "", spec: {}, run: (s) => s.version() },
  whoami: { usage: "", spec: {}, run: (s) => s.whoami() },
};

export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

/** The usage block zkCli prints for `help` and unknown commands. */
export function usageText(): string {
  const lines = ["ZooKeeper -server host:port -client-configuration properties-file cmd args"];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`\t${name} ${c.usage}`);
  return `${lines.join("\n")}\n`;
}

/** zkCli's state names in the prompt (Java's ZooKeeper.States). */
function promptState(state: ClientState | undefined): string {
  switch (state) {
    case "connected":
      return "CONNECTED";
    case "connecting":
    case "disconnected":
      return "CONNECTING";
    case "authFailed":
      return "AUTH_FAILED";
    default:
      return "CLOSED";
  }
}

const SESSION_EVENT_STATE: Partial<Record<ClientState, KeeperState>> = {
  connected: KeeperState.SyncConnected,
  disconnected: KeeperState.Disconnected,
  expired: KeeperState.Expired,
  closed: KeeperState.Closed,
  authFailed: KeeperState.AuthFailed,
};

/**
 * One zkCli-like session: a client plus the shell's own state (history, printwatches). Every
 * command writes through `output` and returns zkCli's exit code (0 ok, 1 error, 127 unknown).
 */
export class CliSession {
  client: ZooKeeperClient | null;
  server: string;
  printWatches = true;
  quitRequested = false;
  readonly history: string[] = [];
  private readonly out: CliOutput;
  private readonly timeoutMs: number;
  private readonly readOnly: boolean;
  private readonly tls: import("node:tls").ConnectionOptions | undefined;
  private readonly printSessionEvents: boolean;
  private readonly timeZone: string | undefined;
  private readonly ownsClient: boolean;
  /** The single watcher behind every -w and addWatch, like zkCli's default watcher. */
  readonly watcher: Watcher = (e: WatchedEvent) => {
    if (this.printWatches) this.out.out(formatWatchedEvent(e));
  };
  private readonly onState = (state: ClientState) => {
    const keeperState = SESSION_EVENT_STATE[state];
    if (keeperState !== undefined && this.printSessionEvents && this.printWatches) {
      this.out.out(formatWatchedEvent({ type: EventType.None, state: keeperState, path: null }));
    }
  };

  constructor(options: CliSessionOptions) {
    this.out = options.output;
    this.server = options.server ?? "localhost:2181";
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.readOnly = options.readOnly ?? false;
    this.tls = options.tls;
    this.printSessionEvents = options.printSessionEvents ?? false;
    this.timeZone = options.timeZone;
    this.client = options.client ?? null;
    this.ownsClient = options.client === undefined;
    this.client?.on("state", this.onState);
  }

  /** zkCli's prompt: "[zk: host:port(CONNECTED) 3] ". */
  prompt(): string {
    return `[zk: ${this.server}(${promptState(this.client?.state)}) ${this.history.length}] `;
  }

  /** Connects a new client to `server` (closing any previous one). */
  async connect(server = this.server): Promise<void> {
    await this.dispose();
    this.server = server;
    const client = new ZooKeeperClient({
      connectString: server,
      sessionTimeoutMs: this.timeoutMs,
      readOnly: this.readOnly,
      connectTimeoutMs: this.timeoutMs,
      ...(this.tls === undefined ? {} : { tls: this.tls }),
    });
    client.on("state", this.onState);
    this.client = client;
    await client.connect();
  }

  /** Closes the client if this session created it. */
  async dispose(): Promise<void> {
    const client = this.client;
    if (client === null) return;
    if (this.ownsClient) await client.close();
    client.off("state", this.onState);
  }

  /** Runs one typed line (tokenized like zkCli) and records it in the history. */
  async execute(line: string): Promise<number> {
    const args = tokenize(line);
    if (args.length === 0) return 0;
    this.history.push(line);
    return this.executeArgs(args);
  }

  /** Runs an already split command (one-shot mode passes argv as-is). */
  async executeArgs(args: readonly string[]): Promise<number> {
    const [name, ...rest] = args;
    if (name === undefined) return 0;
    if (name === "help") {
      this.out.out(usageText());
      return 0;
    }
    const cmd = COMMANDS[name];
    if (cmd === undefined) {
      this.out.err(usageText());
      this.out.err(`Command not found: Command not found ${name}\n`);
      return 127;
    }
    const client = this.client;
    if (
      !cmd.offline &&
      (client === null ||
        client.state === "closed" ||
        client.state === "expired" ||
        client.state === "authFailed")
    ) {
      this.out.err("Not connected\n");
      return 1;
    }
    try {
      const parsed = cmd.raw === true ? { args: rest, opts: new Map() } : parseOptions(rest, cmd.spec);
      return (await cmd.run(this, parsed)) ?? 0;
    } catch (e) {
      this.out.err(`${this.errorMessage(e)}\n`);
      return 1;
    }
  }

  private errorMessage(e: unknown): string {
    if (e instanceof ZooKeeperError) return cliErrorMessage(e);
    if (e instanceof InvalidPathError || e instanceof CliError) return e.message;
    return e instanceof Error ? e.message : String(e);
  }

  private get zk(): ZooKeeperClient {
    return this.client as ZooKeeperClient;
  }

  private usage(name: string): CliError {
    return new CliError(`${name} ${COMMANDS[name]?.usage ?? ""}`);
  }

  private printStat(stat: Stat): void {
    this.out.out(formatStat(stat, this.timeZone));
  }

  // -------------------------------------------------------------------------------------------
  // Commands

  async create(p: Parsed): Promise<number> {
    const [path, data, aclText] = p.args;
    if (path === undefined) throw this.usage("create");
    const ephemeral = p.opts.has("e");
    const sequential = p.opts.has("s");
    const container = p.opts.has("c");
    const ttlText = p.opts.get("t");
    if (container && (ephemeral || sequential)) {
      throw new CliError(
        "-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.",
      );
    }
    let ttlMs: number | undefined;
    if (ttlText !== undefined) {
      if (typeof ttlText !== "string" || !/^-?\d+$/.test(ttlText)) {
        throw new CliError("-t argument must be a long value");
      }
      ttlMs = Number(ttlText);
      if (ephemeral) throw new CliError("TTLs cannot be used with Ephemeral znodes");
      if (container) throw new CliError("TTLs cannot be used with Container znodes");
    }
    let mode = CreateMode.Persistent;
    if (ttlMs !== undefined)
      mode = sequential ? CreateMode.PersistentSequentialWithTtl : CreateMode.PersistentWithTtl;
    else if (container) mode = CreateMode.Container;
    else if (ephemeral) mode = sequential ? CreateMode.EphemeralSequential : CreateMode.Ephemeral;
    else if (sequential) mode = CreateMode.PersistentSequential;
    const acl = aclText === undefined ? OPEN_ACL_UNSAFE : parseAcl(aclText, (l) => this.out.err(`${l}\n`));
    if (acl.length === 0) {
      // The Java client rejects an empty ACL itself, before sending, with no path attached.
      this.out.err("KeeperErrorCode = InvalidACL\n");
      throw new CliError("Acl is not valid : null");
    }
    const options = ttlMs === undefined ? { acl, mode } : { acl, mode, ttlMs };
    try {
      const created = await this.zk.create(path, data === undefined ? null : data, options);
      // zkCli 3.8 prints this on stderr.
      this.out.err(`Created ${created}\n`);
    } catch (e) {
      if (e instanceof ZooKeeperError && e.code === ErrorCode.InvalidACL) this.out.err(`${e.message}\n`);
      if (e instanceof ZooKeeperError && e.code === ErrorCode.EphemeralOnLocalSession) {
        throw new CliError("Unable to create ephemeral node on a local session");
      }
      throw e;
    }
    return 0;
  }

  async get(p: Parsed): Promise<number> {
    const [path] = p.args;
    if (path === undefined) throw this.usage("get");
    const { data, stat } = await this.zk.getData(path, p.opts.has("w") ? this.watcher : undefined);
    this.out.out(`${data === null ? "null" : data.toString("utf8")}\n`);
    if (p.opts.has("s")) this.printStat(stat);
    return 0;
  }

  async set(p: Parsed): Promise<number> {
    const [path, data] = p.args;
    if (path === undefined || data === undefined) throw this.usage("set");
    const stat = await this.zk.setData(path, data, parseVersion(p.opts.get("v")));
    if (p.opts.has("s")) this.printStat(stat);
    return 0;
  }

  async delete(p: Parsed): Promise<number> {
    const [path] = p.args;
    if (path === undefined) throw this.usage("delete");
    await this.zk.delete(path, parseVersion(p.opts.get("v")));
    return 0;
  }

  async deleteAll(p: Parsed): Promise<number> {
    const [path] = p.args;
    if (path === undefined) throw this.usage("deleteall");
    const batchText = p.opts.get("b");
    let batchSize = 1000;
    if (batchText !== undefined) {
      batchSize = typeof batchText === "string" && /^\d+$/.test(batchText) ? Number(batchText) : Number.NaN;
      if (!Number.isInteger(batchSize) || batchSize <= 0)
        throw new CliError("-b argument must be an int value");
    }
    // Breadth-first listing, deleted deepest-first in multi batches, like ZKUtil.deleteRecursive.
    const tree = [path];
    for (let i = 0; i < tree.length; i++) {
      const node = tree[i] as string;
      const children = await this.zk.getChildren(node);
      for (const child of children) tree.push(node === "/" ? `/${child}` : `${node}/${child}`);
    }
    const order = tree.reverse().filter((n) => n !== "/");
    let ok = true;
    for (let i = 0; i < order.length; i += batchSize) {
      const batch = order.slice(i, i + batchSize);
      try {
        await this.zk.multi(batch.map((n) => ({ type: "delete" as const, path: n, version: -1 })));
      } catch (e) {
        if (!(e instanceof ZooKeeperError)) throw e;
        ok = false;
      }
    }
    if (!ok) throw new CliError("Failed to delete some node(s) in the subtree!");
    return 0;
  }

  async ls(p: Parsed): Promise<number> {
    const [path] = p.args;
    if (path === undefined) throw this.usage("ls");
    const watcher = p.opts.has("w") ? this.watcher : undefined;
    if (p.opts.has("R")) {
      await this.listRecursive(path, watcher);
      return 0;
    }
    if (p.opts.has("s")) {
      const { children, stat } = await this.zk.getChildren2(path, watcher);
      this.out.out(`${javaList([...children].sort())}\n`);
      this.printStat(stat);
    } else {
      const children = await this.zk.getChildren(path, watcher);
      this.out.out(`${javaList([...children].sort())}\n`);
    }
    return 0;
  }

  /** Breadth-first, children sorted, like zkCli's `ls -R`. */
  private async listRecursive(path: string, watcher: Watcher | undefined): Promise<void> {
    const queue = [path];
    for (let i = 0; i < queue.length; i++) {
      const node = queue[i] as string;
      const children = await this.zk.getChildren(node, watcher);
      this.out.out(`${node}\n`);
      for (const child of [...children].sort()) queue.push(node === "/" ? `/${child}` : `${node}/${child}`);
    }
  }

  async stat(p: Parsed): Promise<number> {
    const [path] = p.args;
    if (path === undefined) throw this.usage("stat");
    const stat = await this.zk.exists(path, p.opts.has("w") ? this.watcher : undefined);
    if (stat === null) throw new ZooKeeperError(ErrorCode.NoNode, path);
    this.printStat(stat);
    return 0;
  }

  async getAcl(p: Parsed): Promise<number> {
    const [path] = p.args;
    if (path === undefined) throw this.usage("getAcl");
    const { acl, stat } = await this.zk.getACL(path);
    this.out.out(formatAcl(acl));
    if (p.opts.has("s")) this.printStat(stat);
    return 0;
  }

  async setAcl(p: Parsed): Promise<number> {
    const [path, aclText] = p.args;
    if (path === undefined || aclText === undefined) throw this.usage("setAcl");
    const acl = parseAcl(aclText, (l) => this.out.err(`${l}\n`));
    const version = parseVersion(p.opts.get("v"));
    if (p.opts.has("R")) {
      const visit = async (node: string): Promise<void> => {
        await this.zk.setACL(node, acl, version);
        for (const child of (await this.zk.getChildren(node)).sort()) {
          await visit(node === "/" ? `/${child}` : `${node}/${child}`);
        }
      };
      await visit(path);
      return 0;
    }
    const stat = await this.zk.setACL(path, acl, version);
    if (p.opts.has("s")) this.printStat(stat);
    return 0;
  }

  async addAuth(p: Parsed): Promise<number> {
    const [scheme, auth] = p.args;
    if (scheme === undefined) throw this.usage("addauth");
    await this.zk.addAuth(scheme, auth ?? "");
    return 0;
  }

  async sync(p: Parsed): Promise<number> {
    const [path] = p.args;
    if (path === undefined) throw this.usage("sync");
    try {
      await this.zk.sync(path);
      this.out.out("Sync is OK\n");
    } catch (e) {
      if (!(e instanceof ZooKeeperError)) throw e;
      this.out.out(`Sync has failed. rc=${e.code}\n`);
    }
    return 0;
  }

  async addWatch(p: Parsed): Promise<number> {
    const [path] = p.args;
    if (path === undefined) throw this.usage("addWatch");
    const modeText = p.opts.get("m");
    let mode = AddWatchMode.PersistentRecursive;
    if (modeText !== undefined) {
      const upper = typeof modeText === "string" ? modeText.toUpperCase() : "";
      if (upper === "PERSISTENT") mode = AddWatchMode.Persistent;
      else if (upper !== "PERSISTENT_RECURSIVE") throw this.usage("addWatch");
    }
    await this.zk.addWatch(path, mode, this.watcher);
    return 0;
  }

  async removeWatches(p: Parsed): Promise<number> {
    const [path] = p.args;
    if (path === undefined) throw this.usage("removewatches");
    let type = WatcherType.Any;
    if (p.opts.has("c")) type = WatcherType.Children;
    else if (p.opts.has("d")) type = WatcherType.Data;
    await this.zk.removeWatches(path, type, { local: p.opts.has("l") });
    return 0;
  }

  async getEphemerals(p: Parsed): Promise<number> {
    const [path] = p.args;
    const list = await this.zk.getEphemerals(path ?? "/");
    this.out.out(`${javaList(list)}\n`);
    return 0;
  }

  async getAllChildrenNumber(p: Parsed): Promise<number> {
    const [path] = p.args;
    if (path === undefined) throw this.usage("getAllChildrenNumber");
    this.out.out(`${await this.zk.getAllChildrenNumber(path)}\n`);
    return 0;
  }

  async setQuota(p: Parsed): Promise<number> {
    const option = quotaOption([...p.opts.keys()], true)!;
    const [path] = p.args;
    if (path === undefined) throw this.usage("setquota");
    return setQuota(this.zk, this.out, path, option, p.opts.get(option) as string);
  }

  async listQuota(p: Parsed): Promise<number> {
    const [path] = p.args;
    if (path === undefined) throw this.usage("listquota");
    return listQuota(this.zk, this.out, path);
  }

  async delQuota(p: Parsed): Promise<number> {
    const option = quotaOption([...p.opts.keys()], false);
    const [path] = p.args;
    if (path === undefined) throw this.usage("delquota");
    return delQuota(this.zk, this.out, path, option);
  }

  async config(p: Parsed): Promise<number> {
    return configCommand(this.zk, this.out, this.server, {
      compact: p.opts.has("c"),
      watcher: p.opts.has("w") ? this.watcher : undefined,
      printStat: p.opts.has("s") ? (stat) => this.printStat(stat) : undefined,
    });
  }

  async reconfig(p: Parsed): Promise<number> {
    return reconfigCommand(this.zk, this.out, p.args, (stat) => this.printStat(stat));
  }

  async version(): Promise<number> {
    this.out.out(`${CLI_VERSION_LINE}\n`);
    return 0;
  }

  async whoami(): Promise<number> {
    const infos = await this.zk.whoAmI();
    this.out.out(`Auth scheme: User\n${infos.map((i) => `${i.authScheme}: ${i.user}\n`).join("")}`);
    return 0;
  }

  async connectCommand(p: Parsed): Promise<number> {
    await this.connect(p.args[0] ?? this.server);
    return 0;
  }

  async closeCommand(): Promise<number> {
    await this.client?.close();
    return 0;
  }

  async quitCommand(): Promise<number> {
    this.quitRequested = true;
    await this.dispose();
    return 0;
  }

  async printWatchesCommand(p: Parsed): Promise<number> {
    const [value] = p.args;
    if (value === undefined) {
      this.out.out(`printwatches is ${this.printWatches ? "on" : "off"}\n`);
    } else {
      this.printWatches = value === "on";
    }
    return 0;
  }

  async historyCommand(): Promise<number> {
    const last = this.history.length - 1;
    const lines: string[] = [];
    for (let i = Math.max(0, last - 10); i <= last; i++) lines.push(`${i} - ${this.history[i]}\n`);
    this.out.out(lines.join(""));
    return 0;
  }

  async redoCommand(p: Parsed): Promise<number> {
    const index = Number(p.args[0]);
    // The redo line itself is already in the history; it may not refer to itself or beyond.
    if (!Number.isInteger(index) || index < 0 || index >= this.history.length - 1) {
      throw new CliError("Command index out of range");
    }
    const line = this.history[index] as string;
    if (tokenize(line)[0] === "redo") throw new CliError("No redoing redos");
    this.history[this.history.length - 1] = line;
    return this.executeArgs(tokenize(line));
  }
}

function parseVersion(v: string | true | undefined): number {
  if (v === undefined) return -1;
  if (typeof v !== "string" || !/^-?\d+$/.test(v)) throw new CliError(`version ${String(v)} is not a number`);
  return Number(v);
}

/** Options anywhere on the line, like commons-cli's DefaultParser; negative numbers are args. */
function parseOptions(tokens: readonly string[], spec: OptionSpec): Parsed {
  const args: string[] = [];
  const opts = new Map<string, string | true>();
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] as string;
    if (tok.length < 2 || tok[0] !== "-" || /^-\d+$/.test(tok)) {
      args.push(tok);
      continue;
    }
    const letter = tok.slice(1, 2);
    if (tok.length === 2 && spec.flags?.includes(letter)) {
      opts.set(letter, true);
    } else if (spec.values?.includes(letter)) {
      const inline = tok.slice(2);
      const value = inline !== "" ? inline : tokens[++i];
      if (value === undefined) throw new CliError(`Missing argument for option: ${letter}`);
      opts.set(letter, value);
    } else {
      throw new CliError(`Unrecognized option: ${tok}`);
    }
  }
  return { args, opts };
}

/** zkCli's texts for KeeperExceptions (CliWrapperException); others keep Java's message. */
export function cliErrorMessage(e: ZooKeeperError): string {
  const path = e.path ?? "null";
  switch (e.code) {
    case ErrorCode.NoNode:
      return `Node does not exist: ${path}`;
    case ErrorCode.NoChildrenForEphemerals:
      return `Ephemerals cannot have children: ${path}`;
    case ErrorCode.NodeExists:
      return `Node already exists: ${path}`;
    case ErrorCode.NotEmpty:
      return `Node not empty: ${path}`;
    case ErrorCode.NotReadOnly:
      return `Not a read-only call: ${path}`;
    case ErrorCode.InvalidACL:
      return `Acl is not valid : ${path}`;
    case ErrorCode.NoAuth:
      return `Insufficient permission : ${path}`;
    case ErrorCode.BadArguments:
      return `Arguments are not valid : ${path}`;
    case ErrorCode.BadVersion:
      return `version No is not valid : ${path}`;
    case ErrorCode.QuotaExceeded:
      return `Quota has exceeded : ${path}`;
    case ErrorCode.ReconfigInProgress:
      return "Another reconfiguration is in progress -- concurrent reconfigs not supported (yet)";
    case ErrorCode.NewConfigNoQuorum:
      return (
        "No quorum of new config is connected and up-to-date with the leader of last commmitted config" +
        " - try invoking reconfiguration after new servers are connected and synced"
      );
    default:
      return e.message;
  }
}

export interface CommandOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * Runs one command line against an already connected client and returns what zkCli would have
 * printed. The client is left open.
 */
export async function runCommandLine(
  client: ZooKeeperClient,
  line: string,
  options: { timeZone?: string } = {},
): Promise<CommandOutput> {
  let stdout = "";
  let stderr = "";
  const session = new CliSession({
    client,
    output: {
      out: (t) => {
        stdout += t;
      },
      err: (t) => {
        stderr += t;
      },
    },
    ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }),
  });
  const exitCode = await session.execute(line);
  await session.dispose();
  return { stdout, stderr, exitCode };
}
