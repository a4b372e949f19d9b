// Test certificates made with openssl (and the JDK's keytool for Java stores): a CA, leaf
// certificates signed by it, and the stores ZooKeeper users have (PEM, PKCS12, JKS).
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

function run(cmd: string, args: string[], cwd: string): void {
  execFileSync(cmd, args, { cwd, stdio: "pipe" });
}

/** Whether keytool (default-jdk-headless) is here, for the JKS and Java PKCS12 stores. */
export const haveKeytool = (() => {
  try {
    execFileSync("keytool", ["-help"], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
})();

/** `ca.key` and `ca.pem` in `dir`. */
export function makeCa(dir: string, cn: string): void {
  const subject = ["-subj", `/CN=${cn}`];
  run(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      "2",
      ...subject,
    ],
    dir,
  );
}

/**
 * `<name>.key`, `<name>.crt` (signed by the CA in `dir`, with `san` as its subject alternative
 * names, e.g. "IP:127.0.0.1,DNS:localhost") and `<name>.pem` (key and certificate in one file).
 * `cn` is the common name, or a whole subject in openssl's form (`/O=Acme/CN=bob`, `+` for
 * multi-valued RDNs).
 */
export function makeLeaf(dir: string, name: string, cn: string, san: string): void {
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\n`);
  const key = ["-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`];
  const subject = cn.startsWith("/") ? ["-subj", cn, "-multivalue-rdn", "-utf8"] : ["-subj", `/CN=${cn}`];
  run("openssl", ["req", ...key, "-out", `${name}.csr`, ...subject], dir);
  const ca = ["-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial"];
  run(
    "openssl",
    [
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      ...ca,
      "-out",
      `${name}.crt`,
      "-days",
      "2",
      "-extfile",
      `${name}.ext`,
    ],
    dir,
  );
  const pem = readFileSync(join(dir, `${name}.key`), "utf8") + readFileSync(join(dir, `${name}.crt`), "utf8");
  writeFileSync(join(dir, `${name}.pem`), pem);
}

/** `<name>.p12`: the leaf's key and certificate as a PKCS12 key store. */
export function makePkcs12(dir: string, name: string, password: string): void {
  const parts = ["-in", `${name}.crt`, "-inkey", `${name}.key`, "-out", `${name}.p12`];
  run("openssl", ["pkcs12", "-export", ...parts, "-passout", `pass:${password}`, "-name", name], dir);
}

/** keytool: `<name>.jks` from `<name>.p12`. */
export function makeJks(dir: string, name: string, password: string): void {
  const from = ["-srckeystore", `${name}.p12`, "-srcstoretype", "PKCS12", "-srcstorepass", password];
  const to = ["-destkeystore", `${name}.jks`, "-deststoretype", "JKS", "-deststorepass", password];
  run("keytool", ["-importkeystore", ...from, ...to, "-noprompt"], dir);
}

/** keytool: a trust store holding the CA, `file` of `type` JKS or PKCS12. */
export function makeTrustStore(dir: string, file: string, type: "JKS" | "PKCS12", password: string): void {
  const store = ["-keystore", file, "-storetype", type, "-storepass", password];
  run("keytool", ["-importcert", "-file", "ca.pem", "-alias", "ca", ...store, "-noprompt"], dir);
}
