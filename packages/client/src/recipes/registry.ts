import { CreateMode, ErrorCode } from "@paddock/jute";
import type { ZooKeeperClient } from "../client.js";
import { isZooKeeperError } from "../errors.js";
import { ensurePath } from "./queue.js";

export interface ServiceInstance {
  id: string;
  data: string;
}

/**
 * Service discovery: each instance is an ephemeral znode `root/<service>/<id>` holding its data,
 * so it disappears with its session; watchers re-read the member list on every child change.
 */
export class ServiceRegistry {
  private readonly stops = new Set<() => void>();

  constructor(
    readonly client: ZooKeeperClient,
    readonly root = "/services",
  ) {}

  /** Registers an instance for the lifetime of the session; returns its znode path. */
  async register(service: string, id: string, data = ""): Promise<string> {
    const dir = `${this.root}/${service}`;
    await ensurePath(this.client, dir);
    const path = `${dir}/${id}`;
    try {
      await this.client.create(path, data, { mode: CreateMode.Ephemeral });
    } catch (e) {
      // A retried create whose first attempt got through is ours already.
      if (!isZooKeeperError(e, ErrorCode.NodeExists)) throw e;
      const stat = await this.client.exists(path);
      if (stat === null || stat.ephemeralOwner !== this.client.sessionId) throw e;
    }
    return path;
  }

  async unregister(service: string, id: string): Promise<void> {
    try {
      await this.client.delete(`${this.root}/${service}/${id}`);
    } catch (e) {
      if (!isZooKeeperError(e, ErrorCode.NoNode)) throw e;
    }
  }

  async members(service: string): Promise<ServiceInstance[]> {
    const dir = `${this.root}/${service}`;
    let ids: string[];
    try {
      ids = (await this.client.getChildren(dir)).sort();
    } catch (e) {
      if (isZooKeeperError(e, ErrorCode.NoNode)) return [];
      throw e;
    }
    const out: ServiceInstance[] = [];
    for (const id of ids) {
      try {
        const { data } = await this.client.getData(`${dir}/${id}`);
        out.push({ id, data: data?.toString("utf8") ?? "" });
      } catch (e) {
        if (!isZooKeeperError(e, ErrorCode.NoNode)) throw e;
      }
    }
    return out;
  }

  /**
   * Calls `listener` with the current members and again after every change, until the returned
   * function is called. Errors (e.g. a lost connection while re-reading) go to `onError` and the
   * watch is re-armed on the next reconnection's event.
   */
  async watch(
    service: string,
    listener: (members: ServiceInstance[]) => void,
    onError: (err: unknown) => void = () => {},
  ): Promise<() => void> {
    const dir = `${this.root}/${service}`;
    await ensurePath(this.client, dir);
    let stopped = false;
    const stop = () => {
      stopped = true;
      this.stops.delete(stop);
    };
    this.stops.add(stop);
    const read = async (): Promise<void> => {
      if (stopped) return;
      await this.client.getChildren(dir, () => {
        read().catch(onError);
      });
      if (!stopped) listener(await this.members(service));
    };
    await read();
    return stop;
  }

  close(): void {
    for (const stop of [...this.stops]) stop();
  }
}
