// The server side of SASL DIGEST-MD5 (RFC 2831), as ZooKeeper's clients speak it: the Java
// client and kazoo (pure-sasl) name the server "zk-sasl-md5" whatever its host, with the service
// "zookeeper"; ZooKeeper's server offers only qop "auth" (authentication, no integrity layer).
// One instance per connection: empty token -> challenge; digest-response -> rspauth, complete.

import { createHash, timingSafeEqual } from "node:crypto";

/** The server name ZooKeeper's clients use for DIGEST-MD5, whatever the host: also the realm. */
export const DIGEST_MD5_REALM = "zk-sasl-md5";
const ZOOKEEPER_SERVICE = { realm: DIGEST_MD5_REALM, digestUri: `zookeeper/${DIGEST_MD5_REALM}` };
/** RFC 2831: a digest-response longer than this is refused. */
const MAX_RESPONSE_BYTES = 4096;

/** A failed exchange; the message says why, for the server's log (never for the client). */
export class SaslError extends Error {}

export type SaslStep = { done: false; token: Buffer } | { done: true; token: Buffer; user: string };

/**
 * RFC 2831 directives: `key=value` or `key="quoted"` (backslash escapes), comma-separated, empty
 * elements and whitespace around them allowed. A directive given twice is an error.
 */
export function parseDirectives(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  const n = text.length;
  const skipSpace = () => {
    while (i < n && /[ \t\r\n]/.test(text[i]!)) i++;
  };
  while (i < n) {
    skipSpace();
    if (text[i] === ",") {
      i++;
      continue;
    }
    if (i >= n) break;
    let key = "";
    while (i < n && !/[=, \t\r\n]/.test(text[i]!)) key += text[i++];
    skipSpace();
    if (key === "" || text[i] !== "=") throw new SaslError(`malformed directive near "${key}"`);
    i++;
    skipSpace();
    let value = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= n) throw new SaslError(`unterminated quoted value of ${key}`);
        const c = text[i]!;
        if (c === '"') break;
        if (c === "\\" && i + 1 < n) i++;
        value += text[i++];
      }
      i++;
    } else {
      while (i < n && text[i] !== "," && !/[ \t\r\n]/.test(text[i]!)) value += text[i++];
    }
    skipSpace();
    if (i < n && text[i] !== ",") throw new SaslError(`unexpected text after ${key}`);
    const lower = key.toLowerCase();
    if (out.has(lower)) throw new SaslError(`directive ${key} given twice`);
    out.set(lower, value);
  }
  return out;
}

/**
 * With charset=utf-8, RFC 2831 hashes a string as ISO 8859-1 when every character fits in it
 * (as Java's DIGEST-MD5 does), else as UTF-8.
 */
function hashBytes(s: string): Buffer {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the whole Latin-1 range is meant
  return /^[\u0000-\u00ff]*$/.test(s) ? Buffer.from(s, "latin1") : Buffer.from(s, "utf8");
}

const md5 = (...parts: (string | Buffer)[]): Buffer => {
  const h = createHash("md5");
  for (const p of parts) h.update(typeof p === "string" ? Buffer.from(p, "utf8") : p);
  return h.digest();
};
const hex = (b: Buffer) => b.toString("hex");

export class DigestMd5Server {
  private step: "challenge" | "response" | "complete" = "challenge";

  constructor(
    /** user -> password: the JAAS section's `user_<name>` options. */
    private readonly users: ReadonlyMap<string, string>,
    /** Fresh for this exchange; a base64 string of random bytes. */
    private readonly nonce: string,
    /** The realm offered and the digest-uri required (ZooKeeper's, except in tests of RFC 2831's example). */
    private readonly service: { realm: string; digestUri: string } = ZOOKEEPER_SERVICE,
  ) {}

  get isComplete(): boolean {
    return this.step === "complete";
  }

  /** One client token in, the server's token out; SaslError ends the exchange. */
  evaluate(token: Buffer): SaslStep {
    switch (this.step) {
      case "challenge":
        if (token.length !== 0) throw new SaslError("DIGEST-MD5 must not have an initial response");
        this.step = "response";
        return {
          done: false,
          token: Buffer.from(
            `realm="${this.service.realm}",nonce="${this.nonce}",qop="auth",charset=utf-8,algorithm=md5-sess`,
          ),
        };
      case "response": {
        // Whatever happens now, this exchange is over: a second try needs a new connection.
        this.step = "complete";
        const result = this.verify(token);
        return { done: true, ...result };
      }
      case "complete":
        throw new SaslError("DIGEST-MD5 authentication already completed");
    }
  }

  private verify(token: Buffer): { token: Buffer; user: string } {
    if (token.length > MAX_RESPONSE_BYTES) throw new SaslError("digest-response too long");
    const d = parseDirectives(token.toString("utf8"));
    const need = (k: string): string => {
      const v = d.get(k);
      if (v === undefined) throw new SaslError(`digest-response without ${k}`);
      return v;
    };
    const user = need("username");
    const cnonce = need("cnonce");
    const nc = need("nc");
    const digestUri = need("digest-uri");
    const response = need("response");
    const realm = d.get("realm") ?? "";
    const qop = d.get("qop") ?? "auth";
    const authzid = d.get("authzid");
    if (need("nonce") !== this.nonce) throw new SaslError("nonce mismatch");
    if (d.has("realm") && realm !== this.service.realm) throw new SaslError(`unknown realm "${realm}"`);
    if (qop !== "auth") throw new SaslError(`qop "${qop}" not offered`);
    if (nc !== "00000001") throw new SaslError(`nonce count ${nc} (expected 00000001)`);
    if (digestUri.toLowerCase() !== this.service.digestUri.toLowerCase()) {
      throw new SaslError(`digest-uri "${digestUri}" is not ${this.service.digestUri}`);
    }
    const charset = d.get("charset");
    if (charset !== undefined && charset.toLowerCase() !== "utf-8") throw new SaslError(`charset ${charset}`);
    if (!/^[0-9a-fA-F]{32}$/.test(response)) throw new SaslError("response is not 32 hex digits");
    const password = this.users.get(user);
    // An unknown user is hashed against a password nobody has, so it fails the same way.
    const secret = md5(
      hashBytes(user),
      ":",
      hashBytes(realm),
      ":",
      hashBytes(password ?? `\u0000${this.nonce}`),
    );
    const a1 = Buffer.concat([
      secret,
      Buffer.from(`:${this.nonce}:${cnonce}`),
      ...(authzid !== undefined ? [Buffer.from(`:${authzid}`, "utf8")] : []),
    ]);
    const ha1 = hex(md5(a1));
    const kd = (a2: string) => hex(md5(`${ha1}:${this.nonce}:${nc}:${cnonce}:${qop}:${hex(md5(a2))}`));
    const expected = Buffer.from(kd(`AUTHENTICATE:${digestUri}`));
    if (password === undefined || !timingSafeEqual(expected, Buffer.from(response.toLowerCase()))) {
      throw new SaslError(`wrong password or unknown user "${user}"`);
    }
    return { token: Buffer.from(`rspauth=${kd(`:${digestUri}`)}`), user };
  }
}
