// What the peer-link tests share: the codec built from the repository's proto/peer.proto, and a
// vote whose every field survives the round trip.
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
