import { describe, expect, it } from "vitest";
import { jaasCredentials, jaasUsers, parseJaas } from "../../src/config/jaas.js";
import { expectConfigError } from "./helpers.js";

const FILE = "/etc/zk/jaas.conf";

describe("JAAS login configuration", () => {
  it("reads ZooKeeper's sections, options, comments and quoted values", () => {
    const jaas = parseJaas(
      `// client users
Server {
   org.apache.zookeeper.server.auth.DigestLoginModule required
   user_super="adminsecret"   # the super user
   user_bob="bob \\"quoted\\" secret";
};
/* quorum
   credentials */
QuorumServer {
   org.apache.zookeeper.server.auth.DigestLoginModule required user_test=plain;
};
QuorumLearner {
   org.apache.zookeeper.server.auth.DigestLoginModule REQUIRED
   username="test"
   password="test";
};
Server { com.example.Other optional user_carol="c"; };
`,
      FILE,
    );
    expect([...jaas.keys()]).toEqual(["Server", "QuorumServer", "QuorumLearner"]);
    expect(jaasUsers(jaas, "Server")).toEqual(
      new Map([
        ["super", "adminsecret"],
        ["bob", 'bob "quoted" secret'],
        ["carol", "c"],
      ]),
    );
    expect(jaasUsers(jaas, "QuorumServer")).toEqual(new Map([["test", "plain"]]));
    expect(jaasCredentials(jaas, "QuorumLearner")).toEqual({ username: "test", password: "test" });
    expect(jaas.get("QuorumLearner")?.[0]?.flag).toBe("required");
    expect(jaasCredentials(jaas, "Server")).toBeUndefined();
    expect(jaasUsers(jaas, "Missing")).toEqual(new Map());
  });

  it("names the file and line of a syntax error", () => {
    expectConfigError(() => parseJaas('Server {\n  Module required\n  user_a="x"\n};\n', FILE), {
      file: FILE,
      line: 4,
      detail: 'expected ";" after the options of Module',
    });
    expectConfigError(() => parseJaas("Server {\n  Module mandatory;\n};", FILE), {
      line: 2,
      detail: /invalid control flag "mandatory"/,
    });
    expectConfigError(() => parseJaas('Server {\n  Module required user_a="x;\n};', FILE), {
      line: 2,
      detail: "unterminated quoted value",
    });
    expectConfigError(() => parseJaas("Server {\n  Module required;\n}", FILE), {
      detail: 'expected ";", found end of file',
    });
  });
});
