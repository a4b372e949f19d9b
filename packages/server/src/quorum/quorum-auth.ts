// Quorum authentication without TLS: ZooKeeper's quorum.auth.* switches and the JAAS file's
// QuorumServer (users a server accepts, `user_<name>="<password>"`) and QuorumLearner (the
// `username` / `password` a server dials with) sections. Our peer protocol is our own, so the
// handshake is too: a challenge-response in the WebSocket upgrade, before any ZAB frame.
//
//   dialler  -> upgrade request: user, cnonce
//   acceptor -> upgrade reply:   snonce, HMAC(password, "server" | from | to | channel | cnonce | snonce)
//   dialler  -> first frame (text): HMAC(password, "learner" | from | to | channel | snonce | cnonce)
//
// Both sides prove they know the password; it never crosses the wire, and fresh nonces from both
// sides make a recorded exchange useless on another link. The acceptor registers a link (which
// replaces the link of that server id) only after the proof checks out.
//
// The switches, as ZooKeeper has them: enableSasl makes a server answer the exchange (and accept
// links that skip it, unless serverRequireSasl); learnerRequireSasl makes it authenticate its
// own dials (and refuse an acceptor that cannot prove the password). Rolling enablement: all
// enableSasl, then all learnerRequireSasl, then all serverRequireSasl.

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { ServerConfig } from "../config/index.js";
import { ConfigError } from "../config/index.js";
import { jaasCredentials, jaasUsers, loadJaasFile } from "../config/jaas.js";
import type { Logger } from "../logger.js";
import type { PeerChannel, PeerLinkAuth } from "../net/peer-transport.js";

const USER = "x-paddock-quorum-user";
const CNONCE = "x-paddock-quorum-cnonce";
const SNONCE = "x-paddock-quorum-snonce";
const SERVER_PROOF = "x-paddock-quorum-proof";
/** Base64 of 16..48 random bytes: what a nonce may look like. */
const NONCE = /^[A-Za-z0-9+/]{22,64}={0,2}$/;

export interface QuorumAuthSettings {
  myId: number;
  /** quorum.auth.enableSasl's other half: links that skip the exchange are refused. */
  serverRequireSasl: boolean;
  /** Authenticate our own dials (quorum.auth.learnerRequireSasl). */
  learnerRequireSasl: boolean;
  /** QuorumServer's users. */
  users: ReadonlyMap<string, string>;
  /** QuorumLearner's credentials. */
  learner: { username: string; password: string };
  log: Logger;
}

function mac(password: string, ...parts: (string | number)[]): string {
  return createHmac("sha256", Buffer.from(password, "utf8"))
    .update(["paddock-quorum-auth-v1", ...parts].join("|"))
    .digest("base64");
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return typeof v === "string" ? v : undefined;
}

interface Challenge {
  user: string;
  password: string | undefined;
  cnonce: string;
  snonce: string;
}

export class QuorumAuth implements PeerLinkAuth {
  /** The acceptor's half of each exchange, from the upgrade to the dialler's proof. */
  private readonly challenges = new WeakMap<IncomingMessage, Challenge>();

  constructor(private readonly s: QuorumAuthSettings) {}

  dial(to: number, channel: PeerChannel) {
    if (!this.s.learnerRequireSasl) return undefined;
    const { username, password } = this.s.learner;
    const cnonce = randomBytes(24).toString("base64");
    let snonce: string | undefined;
    return {
      headers: { [USER]: encodeURIComponent(username), [CNONCE]: cnonce },
      upgraded: (headers: IncomingHttpHeaders): string | undefined => {
        snonce = header(headers, SNONCE);
        const proof = header(headers, SERVER_PROOF);
        if (snonce === undefined || proof === undefined) {
          return "the server does not authenticate (quorum.auth.enableSasl is off there)";
        }
        if (!same(proof, mac(password, "server", this.s.myId, to, channel, cnonce, snonce))) {
          return "the server could not prove the password (not a member, or another password)";
        }
        return undefined;
      },
      proof: (): string => {
        if (snonce === undefined) throw new Error("quorum auth: proof asked before the upgrade was checked");
        return mac(password, "learner", this.s.myId, to, channel, snonce, cnonce);
      },
    };
  }

  upgradeHeaders(channel: PeerChannel, from: number, req: IncomingMessage, headers: string[]): void {
    const encodedUser = header(req.headers, USER);
    const cnonce = header(req.headers, CNONCE);
    if (encodedUser === undefined || cnonce === undefined || !NONCE.test(cnonce)) return;
    let user: string;
    try {
      user = decodeURIComponent(encodedUser);
    } catch {
      return;
    }
    const password = this.s.users.get(user);
    const snonce = randomBytes(24).toString("base64");
    this.challenges.set(req, { user, password, cnonce, snonce });
    // For an unknown user there is nothing to prove: a random proof fails the dialler's check.
    const proof =
      password === undefined
        ? randomBytes(32).toString("base64")
        : mac(password, "server", from, this.s.myId, channel, cnonce, snonce);
    headers.push(`${SNONCE}: ${snonce}`, `${SERVER_PROOF}: ${proof}`);
  }

  admit(channel: PeerChannel, from: number, req: IncomingMessage) {
    const challenge = this.challenges.get(req);
    if (challenge === undefined) {
      return this.s.serverRequireSasl
        ? { refuse: "no authentication and quorum.auth.serverRequireSasl is on" }
        : undefined;
    }
    return {
      proof: (text: string): string | undefined => {
        const { user, password, cnonce, snonce } = challenge;
        const ok =
          password !== undefined &&
          same(text, mac(password, "learner", from, this.s.myId, channel, snonce, cnonce));
        if (ok) return undefined;
        const reason = `authentication failed for user ${JSON.stringify(user)}`;
        if (this.s.serverRequireSasl) return reason;
        // ZooKeeper keeps a link whose authentication failed when it does not require any.
        this.s.log.warn(
          { channel, claimed: from, reason },
          "keeping the peer link despite failed authentication (quorum.auth.serverRequireSasl is off)",
        );
        return undefined;
      },
    };
  }
}

/**
 * The authentication a configuration asks for, or undefined without quorum.auth.enableSasl. The
 * JAAS file (java.security.auth.login.config, in zoo.cfg or as -D in SERVER_JVMFLAGS / JVMFLAGS)
 * must have both sections, as ZooKeeper logs in to both at start.
 */
export function quorumAuth(config: ServerConfig, myId: number, log: Logger): QuorumAuth | undefined {
  if (!config.quorumAuthEnableSasl) return undefined;
  const path = config.jaasLoginConfig;
  const where = { file: config.configPath, key: "quorum.auth.enableSasl" };
  if (path === undefined) {
    throw new ConfigError(
      "quorum.auth.enableSasl=true needs a JAAS file (java.security.auth.login.config)",
      where,
    );
  }
  const jaas = loadJaasFile(path, "java.security.auth.login.config");
  const serverSection = config.quorumAuthServerLoginContext;
  const learnerSection = config.quorumAuthLearnerLoginContext;
  if (!jaas.has(serverSection)) {
    throw new ConfigError(
      `No JAAS configuration section named '${serverSection}' was found in '${path}'.`,
      where,
    );
  }
  const learner = jaasCredentials(jaas, learnerSection);
  if (learner === undefined) {
    throw new ConfigError(
      `No JAAS configuration section named '${learnerSection}' with a username and password was found in '${path}'.`,
      where,
    );
  }
  return new QuorumAuth({
    myId,
    serverRequireSasl: config.quorumAuthServerRequireSasl,
    learnerRequireSasl: config.quorumAuthLearnerRequireSasl,
    users: jaasUsers(jaas, serverSection),
    learner,
    log,
  });
}
