// Server <-> server links over WebSockets: one binary frame per turn of the event loop and link,
// holding that turn's PeerFrames (proto/peer.proto; the batching is peer-outbox.ts).
//
// Every server listens on its peerPort (leader <-> learner traffic) and its electionPort (votes)
// and dials every other member on both. A link is one-way: we send only on the sockets we
// dialled and receive only on the sockets others dialled to us, so no tie-break between two
// simultaneous dials is needed. This file dials and sends; net/peer-acceptor.ts listens and
// admits. The dialler names itself in the URL (`/?from=<myid>`, with its own peer and election
// addresses: a server no config names yet, one about to be added by a reconfig, is admitted as a
// guest and dialled back, as ZooKeeper lets such a server sync as a non-voting follower). The
// member list follows the active config (setMembers). Without sslQuorum or quorum authentication
// nothing checks that name, so the peer ports belong on a trusted network, as ZooKeeper's do.
// Quorum authentication (PeerLinkAuth, quorum.auth.*) proves a shared password when a link opens;
// with sslQuorum every link is wss with mutual TLS, and a link's claimed id must match its
// certificate: the certificate must name the host of that id's server line (ZooKeeper's quorum
// hostname verification), checked before any frame is read.
//
// Frames sent while a link is down are dropped: the ZAB core tolerates loss (numbered channels,
// vote resends), so the transport never buffers beyond the socket's own queue, except for the
// latest election notification to each peer, sent as soon as that link opens (ZooKeeper keeps
// one message per peer queued the same way: else servers started together each miss the
// others' first votes and may decide on a partial view); and a peer whose
// queue grows past `maxBufferedBytes` is cut off and dialled afresh. The one exception is a SNAP
// being streamed (sendSnapshot, net/snapshot-stream.ts): frames for that learner wait for it,
// within the same bound. No frame may exceed `maxFrameBytes` (net/peer-frame-limit.ts).

import type { WebSocket } from "ws";
import type { Logger } from "../logger.js";
import type { PeerCodec } from "../zab/codec.js";
import type { PeerMessage } from "../zab/messages.js";
import { PeerAcceptor, type PeerTlsOptions } from "./peer-acceptor.js";
import { formatHost, listenHostFor, type PeerAddress, sameAddress } from "./peer-address.js";
import {
  DEFAULT_PEER_FRAME_LIMIT_BYTES,
  logOversizedFrame,
  SNAPSHOT_PIECE_BYTES,
} from "./peer-frame-limit.js";
import type { PeerChannel, PeerLinkAuth } from "./peer-link-auth.js";
import { zeroMask } from "./peer-mask.js";
import { PeerOutbox } from "./peer-outbox.js";
import { type HeldItem, type SnapshotSource, SnapshotStream } from "./snapshot-stream.js";
import { wsModule } from "./ws-module.js";

export type { PeerTlsOptions } from "./peer-acceptor.js";
export { listenHostFor, type PeerAddress } from "./peer-address.js";
export type { PeerChannel, PeerLinkAuth } from "./peer-link-auth.js";

export interface PeerTransportOptions {
  myId: number;
  /** Every member, this server included. */
  members: ReadonlyMap<number, PeerAddress>;
  /** Listen on every interface instead of the host our own server line names. */
  listenOnAllIps: boolean;
  codec: PeerCodec;
  log: Logger;
  onMessage(from: number, msg: PeerMessage): void;
  /** An outbound link to `id` on `channel` went down (it is redialled on its own). */
  onLinkDown?(id: number, channel: PeerChannel): void;
  /**
   * An inbound link from `id` on `channel` was admitted, replacing any earlier one: no frame of
   * an earlier link from `id` is delivered after this call.
   */
  onInboundLink?(id: number, channel: PeerChannel): void;
  /** Outbound queue bound per link; a peer this far behind is disconnected. Default 64 MiB. */
  maxBufferedBytes?: number;
  /**
   * Largest frame accepted; a larger one closes that link. Default: sized for ZooKeeper's default
   * jute.maxbuffer (net/peer-frame-limit.ts); the runtime sizes it from the configured one.
   */
  maxFrameBytes?: number;
  /** First redial delay; doubles per failure up to maxRedialMs. */
  minRedialMs?: number;
  maxRedialMs?: number;
  /** sslQuorum: mutual TLS on every link (net/peer-acceptor.ts). */
  tls?: PeerTlsOptions;
  /** Quorum authentication (quorum.auth.*), checked when a link opens. */
  auth?: PeerLinkAuth;
  /** How often an open outbound link is pinged. Default 1000 ms. */
  livenessIntervalMs?: number;
  /**
   * An outbound link with no pong for this long is dropped and redialled. A peer cut off by the
   * network sends no FIN or RST: without this the link would stay "open" while TCP retransmits
   * into the void, and a healed partition would never be noticed. Default 3000 ms.
   */
  livenessTimeoutMs?: number;
}

interface OutLink {
  id: number;
  channel: PeerChannel;
  url: string;
  ws: WebSocket | undefined;
  open: boolean;
  failures: number;
  timer: NodeJS.Timeout | undefined;
  /** A dial failure is logged once per outage, not per retry. */
  warned: boolean;
  /** Last time the peer answered a ping (or the link opened). */
  lastPongMs: number;
  /** A SNAP being streamed on this link; what is sent meanwhile waits for it. */
  stream: SnapshotStream | undefined;
  /** Election link: the latest notification sent while it was down, sent when it opens. */
  heldVote: Uint8Array | undefined;
}

export class PeerTransport {
  private readonly out = new Map<string, OutLink>();
  /** The members of the active config, this server included; replaced by setMembers. */
  private members: Map<number, PeerAddress>;
  /** Servers outside the config that dialled us, by id (see admitGuest). */
  private readonly guests = new Map<number, PeerAddress>();
  /** The listening half: the ports, and the checks an inbound link passes. */
  private readonly acceptor: PeerAcceptor;
  readonly maxBufferedBytes: number;
  private readonly maxFrameBytes: number;
  private readonly minRedialMs: number;
  private readonly maxRedialMs: number;
  private closed = false;
  private readonly livenessIntervalMs: number;
  private readonly livenessTimeoutMs: number;
  private livenessTimer: NodeJS.Timeout | undefined;
  /**
   * Messages queued on an open link / dropped (link down, or closed before the turn ended), for
   * diagnostics and tests.
   */
  readonly stats = {
    sent: 0,
    dropped: 0,
    received: 0,
    undecodable: 0,
    /** SNAPs streamed to the end / given up (link down, learner not keeping up). */
    snapshotsStreamed: 0,
    snapshotsAborted: 0,
    /** Links closed for a frame over maxFrameBytes. */
    oversizedFrames: 0,
  };
  private readonly outbox = new PeerOutbox({
    encodeFrames: (frames) => this.opts.codec.encodeFrames(frames),
    onDropped: (frames) => {
      this.stats.dropped += frames;
    },
  });

  /** Whether links are dialled with TLS (sslQuorum). */
  private get dialsTls(): boolean {
    return this.tls !== undefined && this.tls.dial !== false;
  }

  /** sslQuorum's options; replaced when the stores are reloaded. */
  private tls: PeerTlsOptions | undefined;

  constructor(private readonly opts: PeerTransportOptions) {
    this.tls = opts.tls;
    this.members = new Map(opts.members);
    this.maxBufferedBytes = opts.maxBufferedBytes ?? 64 * 1024 * 1024;
    this.maxFrameBytes = opts.maxFrameBytes ?? DEFAULT_PEER_FRAME_LIMIT_BYTES;
    this.minRedialMs = opts.minRedialMs ?? 50;
    this.maxRedialMs = opts.maxRedialMs ?? 1000;
    this.livenessIntervalMs = opts.livenessIntervalMs ?? 1000;
    this.livenessTimeoutMs = opts.livenessTimeoutMs ?? 3000;
    this.acceptor = new PeerAcceptor(
      {
        myId: opts.myId,
        codec: opts.codec,
        log: opts.log,
        maxFrameBytes: this.maxFrameBytes,
        auth: opts.auth,
        stats: this.stats,
        knownAddress: (id) => this.members.get(id) ?? this.guests.get(id),
        canAdmitGuest: () => this.guests.size < MAX_GUESTS,
        onAdmitted: (channel, from, guest) => this.admitted(channel, from, guest),
        onMessage: (from, msg) => opts.onMessage(from, msg),
      },
      opts.tls,
    );
    // The links exist (dialled by start) before the server's first votes are sent, so those are
    // held for each peer rather than dropped.
    if (this.members.has(opts.myId)) {
      for (const [id, addr] of this.members) if (id !== opts.myId) this.addLinks(id, addr, false);
    }
  }

  async start(): Promise<void> {
    const me = this.members.get(this.opts.myId);
    if (me === undefined) throw new Error(`server ${this.opts.myId} is not among the members`);
    const host = listenHostFor(me.host, this.opts.listenOnAllIps);
    await this.acceptor.listen("peer", me.peerPort, host);
    await this.acceptor.listen("election", me.electionPort, host);
    for (const link of this.out.values())
      if (link.ws === undefined && link.timer === undefined) this.dial(link);
    this.livenessTimer = setInterval(() => this.checkLiveness(), this.livenessIntervalMs);
    this.livenessTimer.unref();
  }

  /**
   * A reconfig changed the members: links to new members are dialled, a moved member is dialled
   * at its new address, a removed one stays a guest. Our own address stays what we listen on.
   */
  setMembers(members: ReadonlyMap<number, PeerAddress>): void {
    for (const [id, addr] of members) {
      if (id === this.opts.myId) continue;
      const known = this.members.get(id) ?? this.guests.get(id);
      this.guests.delete(id);
      if (known !== undefined && sameAddress(known, addr) && this.out.has(`peer/${id}`)) continue;
      this.dropLinks(id);
      this.addLinks(id, addr);
    }
    // A server the config no longer names keeps its links, as a guest: it must still hear the
    // COMMIT that removes it, and answers to its election messages tell it the same later.
    for (const [id, addr] of this.members) {
      if (id !== this.opts.myId && !members.has(id)) this.guests.set(id, addr);
    }
    const me = this.members.get(this.opts.myId);
    this.members = new Map(members);
    if (me !== undefined) this.members.set(this.opts.myId, me);
  }

  private addLinks(id: number, addr: PeerAddress, dialNow = true): void {
    if (this.closed) return;
    const me = this.members.get(this.opts.myId)!;
    // The dialler's own addresses ride along, so a server that does not know us yet (we are
    // about to be added by a reconfig) can dial us back.
    const self = `from=${this.opts.myId}&host=${encodeURIComponent(me.host)}&peer=${me.peerPort}&election=${me.electionPort}`;
    for (const channel of ["peer", "election"] as const) {
      const port = channel === "peer" ? addr.peerPort : addr.electionPort;
      const link: OutLink = {
        id,
        channel,
        url: `${this.dialsTls ? "wss" : "ws"}://${formatHost(addr.host)}:${port}/?${self}`,
        ws: undefined,
        open: false,
        failures: 0,
        timer: undefined,
        warned: false,
        lastPongMs: 0,
        stream: undefined,
        heldVote: undefined,
      };
      this.out.set(`${channel}/${id}`, link);
      if (dialNow) this.dial(link);
    }
  }

  private dropLinks(id: number): void {
    for (const channel of ["peer", "election"] as const) {
      const key = `${channel}/${id}`;
      const link = this.out.get(key);
      if (link === undefined) continue;
      this.out.delete(key);
      clearTimeout(link.timer);
      link.stream?.abort("link dropped");
      const ws = link.ws;
      link.ws = undefined;
      link.open = false;
      ws?.terminate();
    }
  }

  /** A guest is remembered and dialled back, so the election and the leader can answer it. */
  private admitGuest(id: number, addr: PeerAddress): void {
    this.guests.set(id, addr);
    this.opts.log.info({ peer: id, ...addr }, "server outside the config dialled in; admitted as a guest");
    this.addLinks(id, addr);
  }

  /** Pings every open outbound link; drops (and so redials) one whose peer stopped answering. */
  private checkLiveness(): void {
    const nowMs = Date.now();
    for (const link of this.out.values()) {
      if (!link.open || link.ws === undefined) continue;
      if (nowMs - link.lastPongMs > this.livenessTimeoutMs) {
        this.opts.log.warn(
          { peer: link.id, channel: link.channel, silentMs: nowMs - link.lastPongMs },
          "peer link silent; redialling",
        );
        link.ws.terminate();
        continue;
      }
      try {
        link.ws.ping();
      } catch {
        // The socket is closing; its close event redials.
      }
    }
  }

  /** Ports actually bound (tests listen on port 0). */
  boundPorts(): { peer: number; election: number } {
    return this.acceptor.boundPorts();
  }

  isLinkOpen(id: number, channel: PeerChannel): boolean {
    return this.out.get(`${channel}/${id}`)?.open ?? false;
  }

  send(to: number, msg: PeerMessage): void {
    const channel: PeerChannel = msg.type === "NOTIFICATION" ? "election" : "peer";
    const link = this.out.get(`${channel}/${to}`);
    if (link !== undefined && msg.type === "NOTIFICATION") {
      // A newer vote replaces the held one: the peer needs only our latest.
      link.heldVote = link.open && link.ws !== undefined ? undefined : this.opts.codec.encode(msg);
      if (link.heldVote !== undefined) return;
    }
    if (link === undefined || !link.open || link.ws === undefined) {
      this.stats.dropped++;
      return;
    }
    if (link.stream?.active === true) {
      // After the SNAP in progress, in order; hold() gives up the stream (and link) past the bound.
      if (link.stream.hold({ frame: this.opts.codec.encode(msg) })) this.stats.sent++;
      else this.stats.dropped++;
      return;
    }
    if (link.ws.bufferedAmount > this.maxBufferedBytes) {
      this.opts.log.warn(
        { peer: to, channel, bufferedBytes: link.ws.bufferedAmount },
        "peer is not keeping up; dropping its link",
      );
      this.stats.dropped++;
      link.ws.terminate();
      return;
    }
    this.outbox.enqueue(link.ws, this.opts.codec.encode(msg));
    this.stats.sent++;
  }

  /**
   * Sends a SNAP whose snapshot is streamed from `source` (net/snapshot-stream.ts): its pieces over
   * several turns of the event loop as the link drains, then `snap` itself with an empty snapshot.
   * What is sent to `to` meanwhile follows the SNAP. A link that is down drops it, as any frame;
   * one that goes down mid-stream ends it (the learner discards what it got and syncs again).
   */
  sendSnapshot(to: number, snap: PeerMessage & { type: "SNAP" }, source: SnapshotSource): void {
    const link = this.out.get(`peer/${to}`);
    if (link === undefined || !link.open || link.ws === undefined) {
      source.release();
      this.stats.dropped++;
      return;
    }
    if (link.stream?.active === true) {
      const next: HeldItem = { start: () => this.sendSnapshot(to, snap, source), cancel: source.release };
      if (!link.stream.hold(next)) source.release();
      return;
    }
    const ws = link.ws;
    // What was queued for this link before the SNAP leaves before its first piece.
    this.outbox.flushLink(ws);
    const stream: SnapshotStream = new SnapshotStream({
      ws,
      source,
      snapFrame: this.opts.codec.encode({ ...snap, snapshot: new Uint8Array(0) }),
      lowWaterBytes: 2 * SNAPSHOT_PIECE_BYTES,
      maxHeldBytes: this.maxBufferedBytes,
      log: this.opts.log.child({ peer: to }),
      onFinished: (held) => {
        if (link.stream === stream) link.stream = undefined;
        this.stats.snapshotsStreamed++;
        this.stats.sent++;
        for (const item of held) {
          if (link.stream?.active === true) link.stream.hold(item);
          else if ("start" in item) item.start();
          else if (link.ws === ws && ws.readyState === ws.OPEN) this.outbox.enqueue(ws, item.frame);
          else this.stats.dropped++;
        }
      },
      onAborted: () => {
        if (link.stream === stream) link.stream = undefined;
        this.stats.snapshotsAborted++;
        // Half a snapshot cannot be resumed: the learner discards it when the link closes.
        ws.terminate();
      },
    });
    link.stream = stream;
    stream.start();
  }

  /**
   * sslQuorum's stores changed: new links (both ways) use the new key and trust stores; links up
   * now keep the session they have.
   */
  reloadTls(tls: PeerTlsOptions): void {
    this.tls = tls;
    this.acceptor.reloadTls(tls);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.livenessTimer);
    for (const link of this.out.values()) {
      clearTimeout(link.timer);
      link.stream?.abort("transport closing");
      link.ws?.terminate();
    }
    await this.acceptor.close();
  }

  /**
   * An inbound link was admitted: a guest (a server outside the config) is remembered and dialled
   * back only now, once it passed every check, and our own link to that server is hurried.
   */
  private admitted(channel: PeerChannel, from: number, guest: PeerAddress | undefined): void {
    if (guest !== undefined && !this.guests.has(from) && !this.members.has(from))
      this.admitGuest(from, guest);
    this.redialNow(from, channel);
    this.opts.onInboundLink?.(from, channel);
  }

  /** A peer that dialled in is up: our link to it skips the rest of its redial delay (replies
   * go on the replier's own link, so a restarted server would otherwise hear nothing). */
  private redialNow(id: number, channel: PeerChannel): void {
    const link = this.out.get(`${channel}/${id}`);
    if (this.closed || link?.timer === undefined || link.ws !== undefined) return;
    clearTimeout(link.timer);
    link.failures = 0;
    this.dial(link);
  }

  private dial(link: OutLink): void {
    if (this.closed) return;
    link.timer = undefined;
    const auth = this.opts.auth?.dial(link.id, link.channel);
    const ws = new (wsModule().WebSocket)(link.url, {
      ...(auth === undefined ? {} : { headers: auth.headers }),
      perMessageDeflate: false,
      maxPayload: this.maxFrameBytes,
      handshakeTimeout: 2000,
      generateMask: zeroMask,
      ...(this.tls === undefined || !this.dialsTls
        ? {}
        : {
            ...this.tls.client,
            ...(this.tls.verifyIdentity ? {} : { checkServerIdentity: () => undefined }),
          }),
    });
    link.ws = ws;
    ws.on("pong", () => {
      link.lastPongMs = Date.now();
    });
    if (auth !== undefined) {
      ws.on("upgrade", (res) => {
        const why = auth.upgraded(res.headers);
        if (why === undefined) return;
        // Closing here keeps the link from opening: nothing is sent to an unproven acceptor.
        if (!link.warned)
          this.opts.log.warn({ peer: link.id, channel: link.channel, reason: why }, "peer refused");
        link.warned = true;
        ws.terminate();
      });
    }
    ws.on("open", () => {
      if (auth !== undefined) ws.send(auth.proof());
      link.open = true;
      link.failures = 0;
      link.lastPongMs = Date.now();
      // Every time, not only after a failed dial: which links a server has is what one reads its
      // log for when an election goes wrong.
      this.opts.log.info({ peer: link.id, channel: link.channel }, "peer link up");
      link.warned = false;
      const held = link.heldVote;
      link.heldVote = undefined;
      if (held !== undefined) {
        this.outbox.enqueue(ws, held);
        this.stats.sent++;
      }
    });
    // We never expect data on an outbound link; a peer sending some is ignored.
    ws.on("error", (err) => {
      const where = { peer: link.id, channel: link.channel, direction: "outbound" } as const;
      if (
        logOversizedFrame(err, where, {
          log: this.opts.log,
          maxFrameBytes: this.maxFrameBytes,
          stats: this.stats,
        })
      )
        return;
      if (!link.warned) {
        link.warned = true;
        this.opts.log.debug({ peer: link.id, channel: link.channel, err: err.message }, "peer link down");
      }
    });
    ws.on("close", () => {
      if (link.ws !== ws) return;
      link.stream?.abort("link closed during the SNAP");
      const wasOpen = link.open;
      link.open = false;
      link.ws = undefined;
      if (wasOpen) this.opts.onLinkDown?.(link.id, link.channel);
      if (this.closed) return;
      const delayMs = Math.min(this.maxRedialMs, this.minRedialMs * 2 ** Math.min(link.failures, 10));
      link.failures++;
      link.timer = setTimeout(() => this.dial(link), delayMs);
    });
  }
}

/** Guests at once: enough for a batch of servers waiting to be added, bounded against strangers. */
const MAX_GUESTS = 16;
