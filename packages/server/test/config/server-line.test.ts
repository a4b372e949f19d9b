import { describe, expect, it } from "vitest";
import type { QuorumServer } from "../../src/config/index.js";
import { formatQuorumServer, parseServerId, parseServerLine } from "../../src/config/index.js";
import { expectConfigError } from "./helpers.js";

const where = { file: "zoo.cfg", line: 7, key: "server.1" };
const parse = (value: string, multiAddressEnabled = false): QuorumServer =>
  parseServerLine(1, value, { multiAddressEnabled }, where);

const WRONG_FORMAT =
  " does not have the form server_config or server_config;client_config where server_config is the" +
  " pipe separated list of host:port:port or host:port:port:type and client_config is port or host:port";

describe("parseServerLine", () => {
  it("reads host:quorumPort:electionPort as a participant without client port", () => {
    expect(parse("zoo1:2888:3888")).toEqual({
      id: 1,
      host: "zoo1",
      peerPort: 2888,
      electionPort: 3888,
      role: "participant",
    });
  });

  it("reads :observer and :participant in any case", () => {
    expect(parse("zoo1:2888:3888:observer").role).toBe("observer");
    expect(parse("zoo1:2888:3888:OBSERVER").role).toBe("observer");
    expect(parse("zoo1:2888:3888:Participant").role).toBe("participant");
  });

  it("rejects an unknown role with ZooKeeper's message", () => {
    expectConfigError(() => parse("zoo1:2888:3888:voter"), {
      detail: "Unrecognised peertype: voter",
      line: 7,
    });
  });

  it("reads ;port as a client port on all interfaces", () => {
    const s = parse("zoo1:2888:3888;2181");
    expect(s.clientPort).toBe(2181);
    expect(s.clientAddress).toBeUndefined();
  });

  it("reads ;host:port as a client address and port", () => {
    const s = parse("zoo1:2888:3888:observer;0.0.0.0:2181");
    expect(s).toMatchObject({ role: "observer", clientAddress: "0.0.0.0", clientPort: 2181 });
  });

  it("reads bracketed IPv6 hosts in both parts and drops the brackets", () => {
    expect(parse("[::1]:2888:3888;[fe80::1]:2181")).toMatchObject({
      host: "::1",
      peerPort: 2888,
      electionPort: 3888,
      clientAddress: "fe80::1",
      clientPort: 2181,
    });
  });

  it("rejects an unclosed IPv6 bracket and an unbracketed IPv6 host", () => {
    expectConfigError(() => parse("[::1:2888:3888"), { detail: `[::1:2888:3888${WRONG_FORMAT}` });
    expectConfigError(() => parse("::1:2888:3888"), { detail: `::1:2888:3888${WRONG_FORMAT}` });
  });

  it("ignores a trailing ; or : like Java's split", () => {
    expect(parse("zoo1:2888:3888;").clientPort).toBeUndefined();
    expect(parse("zoo1:2888:3888:;2181")).toMatchObject({ role: "participant", clientPort: 2181 });
    expect(parse("[::1]:2888:3888::")).toMatchObject({ host: "::1", role: "participant" });
  });

  it("rejects two client parts (3.8 grammar)", () => {
    expectConfigError(() => parse("zoo1:2888:3888;2181;2281"), {
      detail: `zoo1:2888:3888;2181;2281${WRONG_FORMAT}`,
      file: "zoo.cfg",
      line: 7,
      key: "server.1",
    });
  });

  it("rejects fewer than 3 or more than 4 address parts", () => {
    expectConfigError(() => parse("zoo1:2888"), { detail: `zoo1:2888${WRONG_FORMAT}` });
    expectConfigError(() => parse("zoo1:2888:3888:observer:x"), {
      detail: `zoo1:2888:3888:observer:x${WRONG_FORMAT}`,
    });
    expectConfigError(() => parse(""), { detail: `${WRONG_FORMAT}` });
  });

  it("rejects a client part with too many colons", () => {
    expectConfigError(() => parse("zoo1:2888:3888;a:b:c"), { detail: `zoo1:2888:3888;a:b:c${WRONG_FORMAT}` });
  });

  it("rejects an empty host", () => {
    expectConfigError(() => parse(":2888:3888"), { detail: `:2888:3888${WRONG_FORMAT}` });
  });

  it("reports a non-numeric port as an unresolved address", () => {
    expectConfigError(() => parse("zoo1:28x8:3888"), { detail: "Address unresolved: zoo1:28x8" });
    expectConfigError(() => parse("zoo1:2888:3888;abc"), { detail: "Address unresolved: 0.0.0.0:abc" });
    expectConfigError(() => parse("zoo1:2888:3888;h:abc"), { detail: "Address unresolved: h:abc" });
  });

  it("rejects ports outside 1..65535", () => {
    expectConfigError(() => parse("zoo1:70000:3888"), { detail: /^port out of range:70000/ });
    expectConfigError(() => parse("zoo1:2888:3888;0"), { detail: /^port out of range:0/ });
  });

  it("rejects equal quorum and election ports with ZooKeeper's (misworded) message", () => {
    expectConfigError(() => parse("zoo1:2888:2888"), {
      detail: "Client and election port must be different! Please update the configuration file on server.1",
    });
  });

  it("rejects | address lists, with ZooKeeper's message when multiAddress is off", () => {
    expectConfigError(() => parse("a:1:2|b:1:2"), {
      detail: "Multiple address feature is disabled, but multiple addresses were specified for sid 1",
    });
    expectConfigError(() => parse("a:1:2|b:1:2", true), { detail: /not supported by Paddock/ });
  });
});

describe("parseServerId", () => {
  it("takes everything after the first dot as a long", () => {
    expect(parseServerId("server.3", where)).toBe(3);
    expect(parseServerId("server.007", where)).toBe(7);
    expect(parseServerId("server.0", where)).toBe(0);
  });

  it("rejects non-numeric and negative ids", () => {
    expectConfigError(() => parseServerId("server.x", where), {
      key: "server.1",
      detail: /"x" is not a number/,
    });
    expectConfigError(() => parseServerId("server.1.2", where), { detail: /"1.2" is not a number/ });
    expectConfigError(() => parseServerId("server.-1", where), { detail: /out of range/ });
  });
});

describe("formatQuorumServer", () => {
  it("prints members like ZooKeeper, IPv6 in brackets, wildcard client host spelled out", () => {
    expect(formatQuorumServer(parse("zoo1:2888:3888;2181"))).toBe(
      "server.1=zoo1:2888:3888:participant;0.0.0.0:2181",
    );
    expect(formatQuorumServer(parse("[::1]:2888:3888:observer;[::1]:2181"))).toBe(
      "server.1=[::1]:2888:3888:observer;[::1]:2181",
    );
    expect(formatQuorumServer(parse("zoo1:2888:3888"))).toBe("server.1=zoo1:2888:3888:participant");
  });
});
