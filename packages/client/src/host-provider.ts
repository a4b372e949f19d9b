// The order in which a client tries the servers of its connect string. Like ZooKeeper's Java
// client (StaticHostProvider) and node-zookeeper-client, the list is shuffled once per client, so
// that many clients given the same connect string spread over the ensemble instead of all
// opening their sessions on the first server; then it is walked round-robin.
import type { HostPort } from "./connect-string.js";

export class HostProvider {
  private order: HostPort[] = [];
  private nextIndex = 0;

  /** `random` returns floats in [0, 1) like Math.random; pass a seeded one for a fixed order. */
  constructor(
    hosts: readonly HostPort[],
    private readonly random: () => number = Math.random,
  ) {
    this.replace(hosts);
  }

  /** A new server list (ZooKeeper's updateServerList, or a reconfig seen): shuffled afresh. */
  replace(hosts: readonly HostPort[]): void {
    if (hosts.length === 0) throw new Error("HostProvider needs at least one host");
    const order = [...hosts];
    // Fisher-Yates: every permutation equally likely.
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [order[i], order[j]] = [order[j] as HostPort, order[i] as HostPort];
    }
    this.order = order;
    this.nextIndex = 0;
  }

  /** Whether `host` is in the list. */
  has(host: HostPort): boolean {
    return this.order.some((h) => h.host === host.host && h.port === host.port);
  }

  get size(): number {
    return this.order.length;
  }

  /** The shuffled order, for logs and tests. */
  get hosts(): readonly HostPort[] {
    return this.order;
  }

  /** The host `next()` will return, without advancing. */
  peek(): HostPort {
    return this.order[this.nextIndex] as HostPort;
  }

  next(): HostPort {
    const host = this.order[this.nextIndex] as HostPort;
    this.nextIndex = (this.nextIndex + 1) % this.order.length;
    return host;
  }

  /** Makes `host` the next one tried (a read-write server found while connected read-only). */
  preferNext(host: HostPort): void {
    const at = this.order.findIndex((h) => h.host === host.host && h.port === host.port);
    if (at >= 0) this.nextIndex = at;
  }
}
