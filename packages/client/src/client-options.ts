// What a ZooKeeperClient is configured with, the events it emits and the shapes of its results.

import type { ACL, CreateMode } from "@paddock/jute";
import type { HostPort } from "./connect-string.js";
import type { ConnectionStateChange } from "./connection-tracker.js";
import type { RetryPolicy } from "./retry.js";
import type { WatchedEvent } from "./watches.js";

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
  /**
   * Accept a server in read-only mode (sent as the handshake's readOnly byte), as Java's
   * `canBeReadOnly`: reads keep working while the ensemble has no quorum, writes fail with
   * NotReadOnly, and the client looks for a read-write server in the background.
   */
  canBeReadOnly?: boolean;
  /** The old name of canBeReadOnly. */
  readOnly?: boolean;
  /**
   * Follow reconfigs (Curator's EnsembleTracker): watch /zookeeper/config and use its members'
   * client addresses as the server list whenever it changes. Default false.
   */
  followEnsemble?: boolean;
  /**
   * Connect over TLS (a server's secureClientPort) with these Node TLS options: `ca` to trust the
   * server's certificate, `cert` and `key` for the client's own (ssl.clientAuth=need). The
   * server's name is checked against its certificate unless `checkServerIdentity` says otherwise.
   */
  tls?: import("node:tls").ConnectionOptions;
  /**
   * What happens when the session expires. false (default, as ZooKeeper's own client): the
   * client is finished, state "expired". true (as Curator): watchers hear Expired, outstanding
   * requests fail with SessionExpired, the connection state goes LOST, and the client carries on
   * with a new session (RECONNECTED, newSession). Recipes that must outlive a session need it.
   * With it, a whole session timeout spent disconnected also starts a new session.
   */
  renewSessionOnExpiry?: boolean;
  /** How `client.retry()` and the recipes retry after ConnectionLoss. Default exponential backoff. */
  retryPolicy?: RetryPolicy;
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
  /** The session expired: terminal, unless renewSessionOnExpiry (then a new session follows). */
  expired: [];
  /** Curator's connection states (CONNECTED, SUSPENDED, RECONNECTED, LOST, READ_ONLY). */
  connectionState: [change: ConnectionStateChange];
  closed: [];
  authFailed: [];
  /**
   * Every watch notification the server sent, with how many listeners it reached; for metrics
   * and for tests that count notifications (a herd-free recipe causes one per change).
   */
  notification: [event: WatchedEvent, listeners: number];
}
