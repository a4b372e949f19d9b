// The seam between the pure, replicated state machine (tree/ + request/) and the runtime that
// owns sockets, sessions timers and watches (net/, session/, watch/). The runtime never touches
// the DataTree except through these functions, so that the same txns applied in the same order
// give the same tree on every server (and, later, after recovery from disk).

import type { ACL, EventType, Id, JuteWriter, Request } from "@paddock/jute";

/** Who sends a request: enough for ACL checks and ephemeral ownership. */
export interface RequestContext {
  sessionId: bigint;
  /**
   * The connection's identities: always `ip:<remote address>`, plus one per successful auth
   * packet (`digest:user:hash`), plus `super:` (scheme "super", id "") when the digest matched
   * superDigest.
   */
  identities: readonly Id[];
  /**
   * Set when the session is a local one (localSessionsEnabled), unknown to the replicated
   * session table: "here" when this server made it, "elsewhere" when a learner did (the leader
   * tells by the server id in the session id's top byte, as ZooKeeper does). A local session may
   * write, but owns no ephemerals.
   */
  localSession?: "here" | "elsewhere";
}

/** A watch event produced by applying a txn, in ZooKeeper's trigger order. */
export interface TriggeredEvent {
  type:
    | EventType.NodeCreated
    | EventType.NodeDeleted
    | EventType.NodeDataChanged
    | EventType.NodeChildrenChanged;
  path: string;
  /**
   * The ACL a watcher needs READ on to see this event (ZooKeeper 3.8.4+, CVE-2024-23944): the
   * changed node's, or the parent's for NodeChildrenChanged; for NodeDeleted, the ACL the node
   * had before it went away.
   */
  acl: readonly ACL[];
}

/** A watch a read asks to register; the runtime stores it in the watch manager. */
export interface WatchRegistration {
  path: string;
  /** "data" for getData/exists, "child" for getChildren/getChildren2. */
  table: "data" | "child";
}

/** The result of a read, ready to be written after a ReplyHeader. */
export interface ReadResult {
  err: number;
  /** Writes the response body; present iff err === 0. */
  writeBody?: (w: JuteWriter) => void;
  /** Present when the request asked for a watch and ZooKeeper would register one. */
  watch?: WatchRegistration;
}

/** The result of applying one txn. */
export interface ApplyResult {
  /** The error for the reply header (0 for success, also 0 for a failed multi). */
  err: number;
  /** Writes the response body for the originating request type; present iff err === 0. */
  writeBody?: (w: JuteWriter) => void;
  /** Events to deliver, in order, before the reply. */
  events: TriggeredEvent[];
  /** Session ids closed by this txn (closeSession). */
  closedSessions: bigint[];
  /** closeSession: the session's ephemerals it deleted, in the order it deleted them. */
  deletedEphemerals?: string[];
}

/** Options of the state machine that come from configuration. */
export interface StateMachineOptions {
  /** `zookeeper.extendedTypesEnabled`: createTTL is accepted only when true. */
  extendedTypesEnabled: boolean;
  /** `zookeeper.skipACL`. */
  skipAcl: boolean;
  /** `zookeeper.letAnySaslUserDoX`: the `sasl` ACL id every SASL user matches. */
  letAnySaslUserDoX?: string;
  /** Schemes with a provider (ip, digest, and sasl with its authProvider); ACLs of others are invalid. */
  authSchemes?: ReadonlySet<string>;
  /** `zookeeper.DigestAuthenticationProvider.superDigest`, e.g. "super:xQJm...=" or undefined. */
  superDigest: string | undefined;
  /**
   * Initial data of /zookeeper/config: the ensemble's dynamic config in quorum mode, empty
   * (the default) in standalone.
   */
  configData?: Buffer;
  /**
   * `zookeeper.enforceQuota`: with it, creates and setData that would pass a quota's hard limit
   * (`countHardLimit` / `byteHardLimit` in zookeeper_limits) fail with QuotaExceeded. Default off.
   */
  enforceQuota?: boolean;
}

/** Re-exported so the runtime can name the request union without importing jute twice. */
export type { Request };
