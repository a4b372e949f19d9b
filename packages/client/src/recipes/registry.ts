import { CreateMode, ErrorCode } from "@paddock/jute";
import type { ZooKeeperClient } from "../client.js";
import { isRetryableError, isZooKeeperError } from "../errors.js";
import { ensurePath } from "./queue.js";

export interface RegistryMember {
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

  async members(service: string): Promise<RegistryMember[]> {
    const dir = `${this.root}/${service}`;
    let ids: string[];
    try {
      ids = (await this.client.getChildren(dir)).sort();
    } catch (e) {
      if (isZooKeeperError(e, ErrorCode.NoNode)) return [];
      throw e;
    }
    const out: RegistryMember[] = [];
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
   * function is called. A re-read cut off by a lost connection is sent again (the client holds
   * it until it has reconnected), so the watch is always re-armed; every failed attempt is
   * reported to `onError`. The watch ends when the client is closed or its session expires.
   */
  async watch(
    service: string,
    listener: (members: RegistryMember[]) => void,
    onError: (err: unknown) => void = () => {},
  ): Promise<() => void> {
    const dir = `${this.root}/${service}`;
    await ensurePath(this.client, dir);
    let stopped = false;
    let reading = false;
    let again = false;
    const stop = () => {
      stopped = true;
      this.stops.delete(stop);
    };
    this.stops.add(stop);
    // One watcher function for every read: the client keeps a set of listeners per path, so
    // re-arming registers nothing twice and one change causes one re-read.
    const onChange = () => {
      void refresh();
    };
    const readOnce = async (): Promise<void> => {
      for (;;) {
        if (stopped) return;
        try {
          await this.client.getChildren(dir, onChange);
          const members = await this.members(service);
          if (!stopped) listener(members);
          return;
        } catch (e) {
          if (stopped) return;
          onError(e);
          if (isZooKeeperError(e, ErrorCode.NoNode)) await ensurePath(this.client, dir);
          else if (!isRetryableError(e)) throw e;
        }
      }
    };
    // Reads are serialised; a change seen during a read asks for one more read afterwards.
    const refresh = async (): Promise<void> => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        do {
          again = false;
          await readOnce();
        } while (again && !stopped);
      } catch {
        // Terminal (session expired or client closed): reported to onError already.
        stop();
      } finally {
        reading = false;
      }
    };
    await readOnce();
    return stop;
  }

  close(): void {
    for (const stop of [...this.stops]) stop();
  }
}
