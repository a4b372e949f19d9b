// What a ZooKeeperClient is configured with, the events it emits and the shapes of its results.

import type { ACL, CreateMode } from "@paddock/jute";
import type { HostPort } from "./connect-string.js";

/**
 * `connecting` until the first session is established; `disconnected` while a lost connection
 * is being re-established (the session may still be alive); the last three are terminal.
 */
export type ClientState = "connecting" | "connected" | "disconnected" | "expired" | "closed" | "authFailed";

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface ZooKeeperClientOptions {
  /** "host1:port1,host2:port2/optional/chroot". */
  connectString: string;
  /** Requested session timeout; the server clamps it. Default 30000. */
  sessionTimeoutMs?: number;
  /** Accept a read-only server (sent as the handshake's readOnly byte). */
  readOnly?: boolean;
  logger?: Logger;
  /** Resume an existing session instead of creating one. */
  sessionId?: bigint;
  sessionPassword?: Buffer;
  /** How long `connect()` waits for the first session before giving up. Default sessionTimeoutMs. */
  connectTimeoutMs?: number;
  /** Pause after every host failed once in a row. Default 200. */
  reconnectDelayMs?: number;
  /** Largest frame accepted from the server. Default jute.maxbuffer (0xfffff). */
  maxBufferBytes?: number;
  /**
   * Source of randomness (floats in [0, 1), like Math.random, the default) for the order in
   * which the connect string's hosts are tried, which is shuffled once per client as ZooKeeper's
   * Java client does it. A seeded function gives a reproducible order.
   */
  random?: () => number;
}

export interface CreateOptions {
  acl?: readonly ACL[];
  mode?: CreateMode;
  /** Required for the TTL modes, forbidden otherwise. */
  ttlMs?: number;
}

export interface RawReply {
  zxid: number;
  err: number;
  /** The reply body (empty when err != 0). */
  body: Buffer;
}

export interface ZooKeeperClientEvents {
  state: [state: ClientState, previous: ClientState];
  /**
   * Fired on every (re)connection; `readOnly` when the server is a read-only one. Auth packets
   * and SetWatches are already on the wire, so any request sent from here on is answered after
   * the watches were re-armed.
   */
  connected: [info: { sessionId: bigint; readOnly: boolean; host: HostPort }];
  disconnected: [];
  expired: [];
  closed: [];
  authFailed: [];
}
