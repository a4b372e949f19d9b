import { describe, expect, it } from "vitest";
import { clientHostsOfConfig } from "../src/index.js";

describe("clientHostsOfConfig", () => {
  it("takes each member's client address, its own host for a wildcard one, as Curator does", () => {
    const text = [
      "server.1=10.0.0.1:2888:3888:participant;0.0.0.0:2181",
      "server.2=10.0.0.2:2888:3888:participant;10.1.0.2:2182",
      "server.3=[fe80::1]:2888:3888:observer;2183",
      "server.4=10.0.0.4:2888:3888:participant",
      "version=100000003",
    ].join("\n");
    expect(clientHostsOfConfig(text)).toEqual([
      { host: "10.0.0.1", port: 2181 },
      { host: "10.1.0.2", port: 2182 },
      { host: "fe80::1", port: 2183 },
    ]);
    expect(clientHostsOfConfig("")).toEqual([]);
  });
});
