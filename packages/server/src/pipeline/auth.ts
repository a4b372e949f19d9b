// Auth packets (ZooKeeper's addAuth): each adds an identity to the connection for ACL checks.
// The reply goes out at once, outside the request order, as ZooKeeper sends it; a scheme this
// server has no provider for fails and closes the connection. The reply carries the packet's own
// xid, as ZooKeeper's does: the Java client sends -4, but the Go client sends an ordinary xid and
// waits for a reply with that xid.

import { ErrorCode } from "@paddock/jute";
import type { ClientConnection } from "../net/client-connection.js";
import { digestId } from "../tree/acl.js";

export class AuthProviders {
  constructor(
    /** `super:<base64 digest>`: a digest that also grants the super identity. */
    private readonly superDigest: string | undefined,
    /** Node's name of the hash of digest ids (DigestAuthenticationProvider.digestAlg). */
    private readonly digestAlgorithm: string,
    /** The schemes with a provider: no digest with DigestAuthenticationProvider.enabled=false. */
    private readonly schemes: ReadonlySet<string>,
  ) {}

  authenticate(conn: ClientConnection, xid: number, scheme: string, auth: Buffer): void {
    let err: number = ErrorCode.OK;
    if (scheme === "digest" && this.schemes.has("digest")) {
      const id = digestId(auth.toString("utf8"), this.digestAlgorithm);
      conn.addIdentity({ scheme: "digest", id });
      if (this.superDigest !== undefined && id === this.superDigest) {
        conn.addIdentity({ scheme: "super", id: "" });
      }
    } else if (scheme === "ip") {
      // The ip provider authenticates by the peer address, whatever the packet carries.
    } else {
      err = ErrorCode.AuthFailed;
    }
    conn.sendImmediate(conn.buildReply(xid, 0, err));
    if (err !== ErrorCode.OK) conn.close(`authentication failed for scheme ${JSON.stringify(scheme)}`);
  }
}
