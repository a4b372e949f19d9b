// What the peer-link tests share: the codec built from the repository's proto/peer.proto, a vote
// whose every field survives the round trip, and ports from the server unit tests' own range.
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadPeerCodec } from "../../src/zab/codec.js";
import type { PeerMessage } from "../../src/zab/messages.js";

export const codec = loadPeerCodec(join(fileURLToPath(import.meta.url), "../../../../../proto/peer.proto"));

export const vote: PeerMessage = {
  type: "NOTIFICATION",
  state: "LOOKING",
  vote: { leader: 2, zxid: 0x100000005, peerEpoch: 1 },
  round: 3,
  // Absent config messages decode as null: the sender knows no config beyond the static one.
  config: null,
  pendingConfig: null,
};

// The server unit tests' range (test/support/process.ts lists every test range). A port probed
// free in the kernel's ephemeral range can be any process's outgoing port a moment later.
let nextPort = 23000 + ((process.pid * 7) % 800);

export async function freePort(): Promise<number> {
  for (;;) {
    const port = nextPort++;
    if (nextPort > 23899) nextPort = 23000;
    const ok = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once("error", () => resolve(false));
      s.listen({ port, host: "127.0.0.1", exclusive: true }, () => s.close(() => resolve(true)));
    });
    if (ok) return port;
  }
}
