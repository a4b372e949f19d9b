// globalOutstandingLimit: requests in flight across every client connection of the server. At
// the limit, connections stop reading new requests (their sockets pause) until replies bring the
// count down, as ZooKeeper's connections do when the server says it should throttle; requests
// already read are never refused.

/** A connection the limit can resume once there is room again. */
export interface Throttled {
  updateBackpressure(): void;
}

export class OutstandingLimit {
  private count = 0;
  private readonly paused = new Set<Throttled>();

  /** `reachedCount` counts the times the limit is reached (the global_outstanding_limit_reached metric). */
  constructor(
    readonly limit: number,
    private readonly reachedCount: { add(): void },
  ) {}

  get outstanding(): number {
    return this.count;
  }

  get reached(): boolean {
    return this.count >= this.limit;
  }

  add(): void {
    this.count++;
    if (this.count === this.limit) this.reachedCount.add();
  }

  /** `n` requests left the server (replied to, or their connection closed). */
  release(n = 1): void {
    if (n > this.count) throw new Error(`outstanding requests would go below 0 (${this.count} - ${n})`);
    this.count -= n;
    if (this.count < this.limit && this.paused.size > 0) {
      const waiting = [...this.paused];
      this.paused.clear();
      for (const c of waiting) c.updateBackpressure();
    }
  }

  /** A connection paused because of the limit; it is told when there is room. */
  wait(c: Throttled): void {
    this.paused.add(c);
  }

  forget(c: Throttled): void {
    this.paused.delete(c);
  }
}
