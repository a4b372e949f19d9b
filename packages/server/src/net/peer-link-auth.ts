// What the peer transport asks of quorum authentication (quorum/quorum-auth.ts) when a link opens.

import type { IncomingHttpHeaders, IncomingMessage } from "node:http";

export type PeerChannel = "peer" | "election";

/**
 * Authentication of a link when it opens (quorum/quorum-auth.ts), before any frame is read: the
 * dialler adds headers to the upgrade, checks the acceptor's reply and sends a proof as its first
 * (text) frame; the acceptor adds its reply headers, then refuses the link, admits it, or waits for
 * the proof. A link is registered (replacing the link of that id) only once admitted.
 */
export interface PeerLinkAuth {
  dial(
    to: number,
    channel: PeerChannel,
  ):
    | {
        headers: Record<string, string>;
        /** Why the acceptor's upgrade reply is not acceptable, if it is not. */
        upgraded(headers: IncomingHttpHeaders): string | undefined;
        proof(): string;
      }
    | undefined;
  upgradeHeaders(channel: PeerChannel, from: number, req: IncomingMessage, headers: string[]): void;
  admit(
    channel: PeerChannel,
    from: number,
    req: IncomingMessage,
  ): { refuse: string } | { proof(text: string): string | undefined } | undefined;
}
