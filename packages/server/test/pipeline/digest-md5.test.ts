import { describe, expect, it } from "vitest";
import { DigestMd5Server, parseDirectives, SaslError } from "../../src/pipeline/digest-md5.js";

// RFC 2831, section 4: the example exchange (user chris, password secret).
const RFC_SERVICE = { realm: "elwood.innosoft.com", digestUri: "imap/elwood.innosoft.com" };
const RFC_NONCE = "OA6MG9tEQGm2hh";
const RFC_RESPONSE =
  'charset=utf-8,username="chris",realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",nc=00000001,cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",response=d388dad90d4bbd760a152321f2143af7,qop=auth';

function rfcServer(password = "secret"): DigestMd5Server {
  return new DigestMd5Server(new Map([["chris", password]]), RFC_NONCE, RFC_SERVICE);
}

describe("DIGEST-MD5 server", () => {
  it("answers RFC 2831's example with its rspauth", () => {
    const server = rfcServer();
    const challenge = server.evaluate(Buffer.alloc(0));
    expect(challenge.done).toBe(false);
    expect(parseDirectives(challenge.token.toString())).toEqual(
      new Map([
        ["realm", "elwood.innosoft.com"],
        ["nonce", RFC_NONCE],
        ["qop", "auth"],
        ["charset", "utf-8"],
        ["algorithm", "md5-sess"],
      ]),
    );
    const done = server.evaluate(Buffer.from(RFC_RESPONSE));
    expect(done).toEqual({
      done: true,
      user: "chris",
      token: Buffer.from("rspauth=ea40f60335c427b5527b84dbabcdfffd"),
    });
    expect(server.isComplete).toBe(true);
    expect(() => server.evaluate(Buffer.alloc(0))).toThrow(/already completed/);
  });

  it("refuses a wrong password, an unknown user and a response that does not fit the challenge", () => {
    const refuse = (server: DigestMd5Server, response: string, why: RegExp) => {
      server.evaluate(Buffer.alloc(0));
      expect(() => server.evaluate(Buffer.from(response))).toThrow(why);
      // One try per exchange.
      expect(() => server.evaluate(Buffer.from(RFC_RESPONSE))).toThrow(SaslError);
    };
    refuse(rfcServer("other"), RFC_RESPONSE, /wrong password or unknown user "chris"/);
    refuse(new DigestMd5Server(new Map(), RFC_NONCE, RFC_SERVICE), RFC_RESPONSE, /unknown user/);
    refuse(rfcServer(), RFC_RESPONSE.replace("OA6MG9tEQGm2hh", "stale"), /nonce mismatch/);
    refuse(rfcServer(), RFC_RESPONSE.replace("nc=00000001", "nc=00000002"), /nonce count/);
    refuse(rfcServer(), RFC_RESPONSE.replace('digest-uri="imap/', 'digest-uri="smtp/'), /digest-uri/);
    refuse(rfcServer(), RFC_RESPONSE.replace("qop=auth", "qop=auth-conf"), /qop/);
    refuse(rfcServer(), RFC_RESPONSE.replace('username="chris",', ""), /without username/);
    refuse(rfcServer(), `${RFC_RESPONSE},nc=00000001`, /given twice/);
    refuse(rfcServer(), "x".repeat(5000), /too long/);
    refuse(rfcServer(), 'username="chris', /unterminated/);
  });

  it("refuses an initial response: the client speaks second", () => {
    expect(() => rfcServer().evaluate(Buffer.from(RFC_RESPONSE))).toThrow(/initial response/);
  });

  it("parses directives with quotes, escapes, spaces and empty elements", () => {
    expect(parseDirectives(' a = "x\\"y" ,, b=2 , c="" ')).toEqual(
      new Map([
        ["a", 'x"y'],
        ["b", "2"],
        ["c", ""],
      ]),
    );
    expect(() => parseDirectives("a")).toThrow(SaslError);
    expect(() => parseDirectives("a=1 b=2")).toThrow(SaslError);
  });
});
