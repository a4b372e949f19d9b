// Curator's DistributedAtomicLong: a 64-bit value in one znode (8 bytes, big-endian; an empty
// or missing node reads as 0), changed by optimistic compare-and-set on the node's version,
// retried by a retry policy when another writer got there first.
import { ErrorCode, type Stat } from "@paddock/jute";
import type { ZooKeeperClient } from "../client.js";
import { isZooKeeperError } from "../errors.js";
import { type RetryPolicy, withRetry } from "../retry.js";
import { ensureParents } from "./protected-create.js";

/** The outcome of a change: whether it happened, and the value before and after. */
export interface AtomicValue {
  succeeded: boolean;
  preValue: bigint;
  postValue: bigint;
}

function toBytes(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt.asIntN(64, n), 0);
  return b;
}

function fromBytes(bytes: Buffer | null): bigint {
  if (bytes === null || bytes.length === 0) return 0n;
  if (bytes.length !== 8) throw new Error(`atomic long: ${bytes.length} bytes, expected 8`);
  return bytes.readBigInt64BE(0);
}

/** Thrown inside the optimistic loop when someone else changed the value first. */
const CONTENDED = Symbol("contended");

export class DistributedAtomicLong {
  /** `retryPolicy` bounds the optimistic attempts (Curator requires one too). */
  constructor(
    readonly client: ZooKeeperClient,
    readonly path: string,
    private readonly retryPolicy: RetryPolicy,
  ) {}

  async get(): Promise<AtomicValue> {
    const { value } = await this.read();
    return { succeeded: true, preValue: value, postValue: value };
  }

  increment(): Promise<AtomicValue> {
    return this.add(1n);
  }

  decrement(): Promise<AtomicValue> {
    return this.add(-1n);
  }

  subtract(delta: bigint): Promise<AtomicValue> {
    return this.add(-delta);
  }

  add(delta: bigint): Promise<AtomicValue> {
    return this.trySetWith((previous) => previous + delta);
  }

  /** Sets `value` if the current value is `expected` (one attempt, as Curator). */
  async compareAndSet(expected: bigint, value: bigint): Promise<AtomicValue> {
    const current = await this.read();
    if (current.stat === null || current.value !== expected) {
      return { succeeded: false, preValue: current.value, postValue: current.value };
    }
    try {
      await this.client.setData(this.path, toBytes(value), current.stat.version);
      return { succeeded: true, preValue: current.value, postValue: value };
    } catch (e) {
      if (isZooKeeperError(e, ErrorCode.BadVersion) || isZooKeeperError(e, ErrorCode.NoNode)) {
        return { succeeded: false, preValue: current.value, postValue: current.value };
      }
      throw e;
    }
  }

  /** Sets `value` whatever the current one, optimistically (retried under contention). */
  trySet(value: bigint): Promise<AtomicValue> {
    return this.trySetWith(() => value);
  }

  /** Sets `value` unconditionally. */
  async forceSet(value: bigint): Promise<void> {
    try {
      await this.client.setData(this.path, toBytes(value));
    } catch (e) {
      if (!isZooKeeperError(e, ErrorCode.NoNode)) throw e;
      await ensureParents(this.client, this.path);
      try {
        await this.client.create(this.path, toBytes(value));
      } catch (e2) {
        if (!isZooKeeperError(e2, ErrorCode.NodeExists)) throw e2;
        await this.client.setData(this.path, toBytes(value));
      }
    }
  }

  /** Creates the node with `value` if it does not exist; false when it did. */
  async initialize(value: bigint): Promise<boolean> {
    await ensureParents(this.client, this.path);
    try {
      await this.client.create(this.path, toBytes(value));
      return true;
    } catch (e) {
      if (isZooKeeperError(e, ErrorCode.NodeExists)) return false;
      throw e;
    }
  }

  private async read(): Promise<{ value: bigint; stat: Stat | null }> {
    return withRetry(this.client.retryPolicy, async () => {
      try {
        const { data, stat } = await this.client.getData(this.path);
        return { value: fromBytes(data), stat };
      } catch (e) {
        if (isZooKeeperError(e, ErrorCode.NoNode)) return { value: 0n, stat: null };
        throw e;
      }
    });
  }

  private async trySetWith(make: (previous: bigint) => bigint): Promise<AtomicValue> {
    let last: bigint | undefined;
    try {
      return await withRetry(
        this.retryPolicy,
        async () => {
          const current = await this.read();
          last = current.value;
          const next = BigInt.asIntN(64, make(current.value));
          try {
            if (current.stat === null) {
              await ensureParents(this.client, this.path);
              await this.client.create(this.path, toBytes(next));
            } else await this.client.setData(this.path, toBytes(next), current.stat.version);
          } catch (e) {
            if (
              isZooKeeperError(e, ErrorCode.BadVersion) ||
              isZooKeeperError(e, ErrorCode.NodeExists) ||
              isZooKeeperError(e, ErrorCode.NoNode)
            ) {
              throw CONTENDED;
            }
            throw e;
          }
          return { succeeded: true, preValue: current.value, postValue: next };
        },
        { isRetryable: (e) => e === CONTENDED },
      );
    } catch (e) {
      if (e !== CONTENDED) throw e;
      const value = last ?? 0n;
      return { succeeded: false, preValue: value, postValue: value };
    }
  }
}
