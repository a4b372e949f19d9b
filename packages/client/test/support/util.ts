import type { ClientState, WatchedEvent, Watcher, ZooKeeperClient } from "../../src/index.js";

export async function waitFor(predicate: () => boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function waitForState(client: ZooKeeperClient, state: ClientState, timeoutMs = 10_000): Promise<void> {
  if (client.state === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off("state", onState);
      reject(new Error(`state ${state} not reached (now ${client.state})`));
    }, timeoutMs);
    const onState = (s: ClientState) => {
      if (s !== state) return;
      clearTimeout(timer);
      client.off("state", onState);
      resolve();
    };
    client.on("state", onState);
  });
}

/** A watcher that records every event it gets. */
export function recorder(): Watcher & { events: WatchedEvent[] } {
  const events: WatchedEvent[] = [];
  const w = ((e: WatchedEvent) => {
    events.push(e);
  }) as Watcher & { events: WatchedEvent[] };
  w.events = events;
  return w;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls an asynchronous condition (e.g. a read from the server) until it holds. */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs = 5000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
