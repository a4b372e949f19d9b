// The learner's write path: a follower or observer cannot prepare writes (only the leader
// assigns zxids), so it hands the request bytes, or a new session, to the leader as a REQUEST
// and waits for the commit to come back through the apply stage (see ReplyRouting).

import { encodeForwarded, type Forwarded } from "../quorum/forward.js";
import { closeIfRefused } from "../quorum/refusal.js";
import type { QuorumRuntime } from "../quorum/runtime.js";
import type { Origin, ReplyRouting } from "./reply-routing.js";

export class Forwarder {
  constructor(
    private readonly quorum: QuorumRuntime,
    private readonly routing: ReplyRouting,
  ) {}

  forward(sessionId: bigint, origin: Origin, msg: Forwarded): void {
    this.routing.expectForwarded(sessionId, origin);
    const refused = (err: unknown) => closeIfRefused(err, origin.conn);
    try {
      // Sent with the rest of this turn's writes, in order (QuorumRuntime.forward).
      this.quorum.forward(encodeForwarded(msg), refused);
    } catch (err) {
      refused(err);
    }
  }
}
