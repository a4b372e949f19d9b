import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { QuorumAuth, type QuorumAuthSettings } from "../../src/quorum/quorum-auth.js";

const log = pino({ level: "silent" });

function server(id: number, over: Partial<QuorumAuthSettings> = {}): QuorumAuth {
  return new QuorumAuth({
    myId: id,
    serverRequireSasl: true,
    learnerRequireSasl: true,
    users: new Map([["quorum", "secret"]]),
    learner: { username: "quorum", password: "secret" },
    log,
    ...over,
  });
}

/** One link from `dialler` (as id 2) to `acceptor` (id 1) on the peer channel: what each side decides. */
function link(dialler: QuorumAuth, acceptor: QuorumAuth, tamper?: (proof: string) => string) {
  const dial = dialler.dial(1, "peer");
  const req = {
    headers: Object.fromEntries(Object.entries(dial?.headers ?? {})),
  } as unknown as IncomingMessage;
  const replyHeaders: string[] = [];
  acceptor.upgradeHeaders("peer", 2, req, replyHeaders);
  const reply: IncomingHttpHeaders = Object.fromEntries(
    replyHeaders.map((h) => [h.slice(0, h.indexOf(":")), h.slice(h.indexOf(":") + 2)]),
  );
  const diallerVerdict = dial?.upgraded(reply);
  const admission = acceptor.admit("peer", 2, req);
  if (admission === undefined) return { diallerVerdict, acceptorVerdict: "admitted without proof" };
  if ("refuse" in admission) return { diallerVerdict, acceptorVerdict: admission.refuse };
  const proof = dial === undefined || diallerVerdict !== undefined ? "none" : dial.proof();
  return { diallerVerdict, acceptorVerdict: admission.proof(tamper ? tamper(proof) : proof) ?? "admitted" };
}

describe("quorum authentication handshake", () => {
  it("both sides prove the password", () => {
    expect(link(server(2), server(1))).toEqual({ diallerVerdict: undefined, acceptorVerdict: "admitted" });
  });

  it("a wrong password fails on both sides", () => {
    const wrong = server(2, { learner: { username: "quorum", password: "guess" } });
    expect(link(wrong, server(1))).toEqual({
      diallerVerdict: expect.stringMatching(/could not prove the password/),
      acceptorVerdict: 'authentication failed for user "quorum"',
    });
    const unknown = server(2, { learner: { username: "nobody", password: "secret" } });
    expect(link(unknown, server(1)).acceptorVerdict).toBe('authentication failed for user "nobody"');
  });

  it("a proof made for another link or altered is refused", () => {
    expect(link(server(2), server(1), (p) => `${p}x`).acceptorVerdict).toMatch(/authentication failed/);
    // Any other proof (as from another exchange, with other nonces) does not fit this one.
    expect(
      link(server(2), server(1), () => "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2U=").acceptorVerdict,
    ).toMatch(/authentication failed/);
  });

  it("rolling enablement: the switches decide who authenticates and who must", () => {
    const notRequiring = server(1, { serverRequireSasl: false, learnerRequireSasl: false });
    const skipping = server(2, { learnerRequireSasl: false, serverRequireSasl: false });
    // enableSasl only: a learner that skips authentication is let in.
    expect(link(skipping, notRequiring).acceptorVerdict).toBe("admitted without proof");
    // learnerRequireSasl: it authenticates to a server that does not require it yet.
    expect(link(server(2), notRequiring)).toEqual({ diallerVerdict: undefined, acceptorVerdict: "admitted" });
    // A failed attempt is kept while nothing is required, as ZooKeeper does.
    const wrong = server(2, { learner: { username: "quorum", password: "guess" } });
    expect(link(wrong, notRequiring).acceptorVerdict).toBe("admitted");
    // serverRequireSasl: a learner that skips it is refused.
    expect(link(skipping, server(1)).acceptorVerdict).toBe(
      "no authentication and quorum.auth.serverRequireSasl is on",
    );
  });
});
