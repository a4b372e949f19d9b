// The x509 scheme (authProvider.x509=...X509AuthenticationProvider, ssl.authProvider): a TLS
// client's verified certificate gives its connection the id x509:<subject>, the subject in the
// RFC 2253 form of Java's X500Principal.getName(). Checked two ways: Paddock's reading of
// certificates with awkward subjects (multi-valued RDNs, escapes, OIDs without a keyword, UTF-8)
// against Java's own; and the same kazoo run over TLS against Paddock and ZooKeeper 3.8 with the
// same keys and certificates (x509 ACLs, `auth` ACLs, invalid ids, another client refused,
// X509AuthenticationProvider.superUser let in).
import { execFileSync, spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subjectRfc2253 } from "../../packages/server/src/net/x509-identity.js";
import { makeCa, makeLeaf } from "../support/certificates.js";
import { startPaddock } from "../support/paddock.js";
import { freePort, makeTempDir, type ServerHandle } from "../support/process.js";
import { isCI, skipWithoutZookeeper, startZookeeper } from "../support/zookeeper.js";

const PYTHON = "/usr/bin/python3";
const CLIENTS = join(import.meta.dirname, "clients");
const haveJava = spawnSync("java", ["-version"]).status === 0;
if (isCI && !haveJava) throw new Error("CI needs java for the certificate subjects");

const SUBJECTS: Record<string, string> = {
  alice: "/C=US/O=Paddock, Inc./OU=tests/CN=alice",
  bob: "/CN=bob",
  admin: "/CN=admin",
  multi: "/DC=com/DC=example/UID=jdoe/CN=J Doe+OU=ops/emailAddress=j@example.com",
  escapes: '/CN= lead and trail /O=a=b;c<d>#e"f\\g',
  unicode: "/CN=Zoë Ünïcode/serialNumber=1234/title=Dr",
};

/** Java's X500Principal.getName() of each certificate. */
function javaSubjects(files: string[]): string[] {
  const out = execFileSync("java", [join(CLIENTS, "CertificateSubjects.java"), ...files], {
    encoding: "utf8",
    timeout: 60_000,
  });
  return out.split("\n").filter((l) => l !== "");
}

// Skipped only outside CI without a JVM: the expected subjects come from Java's X500Principal.
describe.skipIf(!haveJava)("x509 client authentication", () => {
  let dir: string;
  const servers: ServerHandle[] = [];

  beforeAll(() => {
    dir = makeTempDir("paddock-x509");
    makeCa(dir, "x509-ca");
    makeLeaf(dir, "server", "paddock-server", "IP:127.0.0.1,DNS:localhost");
    for (const [name, subject] of Object.entries(SUBJECTS)) makeLeaf(dir, name, subject, "IP:127.0.0.1");
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads a certificate's subject as Java's X500Principal does", () => {
    const names = Object.keys(SUBJECTS);
    const files = names.map((n) => join(dir, `${n}.crt`));
    const ours = files.map((f) => subjectRfc2253(new X509Certificate(readFileSync(f)).raw));
    expect(ours).toEqual(javaSubjects(files));
    expect(ours[0]).toBe("CN=alice,OU=tests,O=Paddock\\, Inc.,C=US");
  });

  // Skipped only outside CI when ZooKeeper 3.8 (Debian's zookeeper, with java) is not installed;
  // under CI=true skipWithoutZookeeper throws instead.
  it.skipIf(skipWithoutZookeeper())(
    "x509 ACLs over TLS match ZooKeeper 3.8",
    { timeout: 180_000 },
    async () => {
      const [alice, admin] = javaSubjects([join(dir, "alice.crt"), join(dir, "admin.crt")]);
      const lines = (securePort: number) => [
        `secureClientPort=${securePort}`,
        "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory",
        `ssl.keyStore.location=${join(dir, "server.pem")}`,
        `ssl.trustStore.location=${join(dir, "ca.pem")}`,
        "authProvider.x509=org.apache.zookeeper.server.auth.X509AuthenticationProvider",
        `X509AuthenticationProvider.superUser=${admin}`,
      ];
      const [paddockPort, zookeeperPort] = [await freePort(), await freePort()];
      const [paddock, zookeeper] = await Promise.all([
        startPaddock({ extraCfg: lines(paddockPort) }),
        startZookeeper({ extraCfg: lines(zookeeperPort) }),
      ]);
      servers.push(paddock, zookeeper);
      const run = (port: number) =>
        execFileSync(PYTHON, [join(CLIENTS, "kazoo_x509.py"), String(port), dir, alice!], {
          encoding: "utf8",
          timeout: 120_000,
          stdio: ["ignore", "pipe", "pipe"],
        });
      const expected = run(zookeeperPort);
      expect(run(paddockPort)).toBe(expected);
      expect(expected).toContain('get own b"alice\'s"');
      // Python prints the list with repr(): the id's backslash doubled.
      expect(expected).toContain(`getacl auth ['x509:${alice!.replaceAll("\\", "\\\\")}:31']`);
      expect(expected).toContain("other certificate get NoAuthError");
      expect(expected).toContain('super user get b"alice\'s"');
      expect(expected).toContain("invalid id InvalidACLError");
    },
  );
});
