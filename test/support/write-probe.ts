// A client writing in a loop while something is done to the ensemble: the longest gap between
// acknowledged writes is what an outage (or an attack) looks like to a client.
import type { ZooKeeperClient } from "@paddock/client";

export interface WriteProbe {
  /** Stops after the write in flight; resolves with what was acknowledged. */
  stop(): Promise<{ acked: number; worstGapMs: number }>;
}

/** Creates `<parent>/<prefix><i>` one after another until stopped. */
export function startWriting(c: ZooKeeperClient, parent: string, prefix: string): WriteProbe {
  let stopped = false;
  let lastAckMs = Date.now();
  let worstGapMs = 0;
  let acked = 0;
  const writes = (async () => {
    for (let i = 0; !stopped; i++) {
      await c.create(`${parent}/${prefix}${i}`, "x");
      const now = Date.now();
      worstGapMs = Math.max(worstGapMs, now - lastAckMs);
      lastAckMs = now;
      acked++;
    }
  })();
  return {
    async stop() {
      stopped = true;
      await writes;
      return { acked, worstGapMs };
    },
  };
}
