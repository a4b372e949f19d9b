// Curator's SharedValue and SharedCount: a value in one znode that every participant reads and
// watches; changes are compare-and-set on the node's version. SharedCount stores a 4-byte
// big-endian int, as Curator does, so Java and TypeScript share one count.
import { EventEmitter } from "node:events";
import { ErrorCode } from "@paddock/jute";
import type { ZooKeeperClient } from "../client.js";
import type { ConnectionStateChange } from "../connection-tracker.js";
import { isZooKeeperError } from "../errors.js";
import { withRetry } from "../retry.js";
import { ensureParents } from "./protected-create.js";

export interface VersionedValue<T> {
  /** The node's version when the value was read (-1 before the first read). */
  version: number;
  value: T;
}

export interface SharedValueEvents<T> {
  change: [value: T];
  error: [err: unknown];
}

class SharedNode<T> extends EventEmitter<SharedValueEvents<T>> {
  private current: VersionedValue<Buffer>;
  private started = false;
  private closed = false;

  constructor(
    readonly client: ZooKeeperClient,
    readonly path: string,
    private readonly seed: Buffer,
    private readonly decode: (bytes: Buffer) => T,
  ) {
    super();
    this.current = { version: -1, value: seed };
  }

  /** Creates the node with the seed value unless it exists, reads it and starts watching. */
  async start(): Promise<void> {
    if (this.started) throw new Error("already started");
    this.started = true;
    this.client.on("connectionState", this.onConnectionState);
    await ensureParents(this.client, this.path);
    await withRetry(this.client.retryPolicy, async () => {
      try {
        await this.client.create(this.path, this.seed);
      } catch (e) {
        if (!isZooKeeperError(e, ErrorCode.NodeExists)) throw e;
      }
    });
    await this.read();
  }

  close(): void {
    this.closed = true;
    this.client.off("connectionState", this.onConnectionState);
  }

  protected get versioned(): VersionedValue<Buffer> {
    return this.current;
  }

  /** Sets the value whatever it was. */
  protected async setBytes(bytes: Buffer): Promise<void> {
    const stat = await withRetry(this.client.retryPolicy, () => this.client.setData(this.path, bytes));
    this.update(stat.version, bytes);
  }

  /**
   * Sets the value only if the node is still at `previous.version`; false (and the newer value
   * read) when someone changed it first.
   */
  protected async trySetBytes(previous: VersionedValue<unknown>, bytes: Buffer): Promise<boolean> {
    try {
      const stat = await this.client.setData(this.path, bytes, previous.version);
      this.update(stat.version, bytes);
      return true;
    } catch (e) {
      if (!isZooKeeperError(e, ErrorCode.BadVersion)) throw e;
      await this.read();
      return false;
    }
  }

  private async read(): Promise<void> {
    if (this.closed) return;
    const { data, stat } = await withRetry(this.client.retryPolicy, () =>
      this.client.getData(this.path, this.onNodeEvent),
    );
    this.update(stat.version, data ?? Buffer.alloc(0));
  }

  private update(version: number, bytes: Buffer): void {
    if (version <= this.current.version) return;
    const changed = !bytes.equals(this.current.value);
    this.current = { version, value: bytes };
    if (changed) this.emit("change", this.decode(bytes));
  }

  private readonly onNodeEvent = (): void => {
    this.read().catch((e: unknown) => {
      if (this.listenerCount("error") > 0) this.emit("error", e);
    });
  };

  private readonly onConnectionState = (change: ConnectionStateChange): void => {
    if (change.state === "RECONNECTED") this.onNodeEvent();
  };
}

/** Curator's SharedValue: raw bytes. */
export class SharedValue extends SharedNode<Buffer> {
  constructor(client: ZooKeeperClient, path: string, seed: Buffer) {
    super(client, path, seed, (b) => b);
  }

  get value(): Buffer {
    return this.versioned.value;
  }

  get versionedValue(): VersionedValue<Buffer> {
    return this.versioned;
  }

  setValue(bytes: Buffer): Promise<void> {
    return this.setBytes(bytes);
  }

  trySetValue(previous: VersionedValue<Buffer>, bytes: Buffer): Promise<boolean> {
    return this.trySetBytes(previous, bytes);
  }
}

function intBytes(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n, 0);
  return b;
}

function readInt(bytes: Buffer): number {
  if (bytes.length < 4) throw new Error(`shared count: ${bytes.length} bytes, expected 4`);
  return bytes.readInt32BE(0);
}

/** Curator's SharedCount: a 32-bit count. Usable as a semaphore's maxLeases. */
export class SharedCount extends SharedNode<number> {
  constructor(client: ZooKeeperClient, path: string, seed: number) {
    super(client, path, intBytes(seed), readInt);
  }

  get count(): number {
    return readInt(this.versioned.value);
  }

  get versionedValue(): VersionedValue<number> {
    return { version: this.versioned.version, value: this.count };
  }

  setCount(n: number): Promise<void> {
    return this.setBytes(intBytes(n));
  }

  /** Sets the count if nobody changed it since `previous` was read. */
  trySetCount(previous: VersionedValue<number>, n: number): Promise<boolean> {
    return this.trySetBytes(previous, intBytes(n));
  }
}
