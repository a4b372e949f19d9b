// Key and trust stores as ZooKeeper users have them: PEM, PKCS12 or JKS (the type named, or
// inferred from the file name as ZooKeeper does), turned into Node's TLS options. The server's
// client port and paddock-cli's -client-configuration both read them here.

import { readFileSync, unwatchFile, watchFile } from "node:fs";
import { extname } from "node:path";
import type { SecureContextOptions } from "node:tls";
import type jksModule from "jks-js";
import type forgeModule from "node-forge";
import { lazyModule } from "../lazy-module.js";

const jksJs = lazyModule<typeof jksModule>("jks-js", () => require("jks-js"));
const nodeForge = lazyModule<typeof forgeModule>("node-forge", () => require("node-forge"));

/** A store that cannot be used: whoever asked for TLS must not go on without it. */
export class TlsSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TlsSetupError";
  }
}

export interface StoreSettings {
  location: string | undefined;
  password: string | undefined;
  /** A file holding the password (`<key>.passwordPath`); it wins over `password`, as in ZooKeeper. */
  passwordPath?: string | undefined;
  type: string | undefined;
}

/**
 * The store's password: the passwordPath file's content when one is set (less one trailing line
 * break, as ZooKeeper's SecretUtils reads it), else the password, else none.
 */
function storePassword(store: StoreSettings, key: string): string {
  const path = store.passwordPath;
  if (path === undefined || path === "") return store.password ?? "";
  let secret: string;
  try {
    secret = readFileSync(path, "utf8");
  } catch (err) {
    throw new TlsSetupError(`${key}.passwordPath: cannot read ${path}: ${(err as Error).message}`);
  }
  return secret.endsWith("\n") ? secret.slice(0, -1) : secret;
}

type StoreType = "PEM" | "PKCS12" | "JKS";

/** ZooKeeper's inference from the file name when no type is given. */
function storeTypeOf(location: string, type: string | undefined, key: string): StoreType {
  if (type !== undefined) return type.toUpperCase() as StoreType;
  switch (extname(location).toLowerCase()) {
    case ".pem":
    case ".crt":
    case ".key":
      return "PEM";
    case ".p12":
    case ".pfx":
      return "PKCS12";
    case ".jks":
      return "JKS";
  }
  throw new TlsSetupError(`${key}.type is not set and the type of ${location} cannot be told from its name`);
}

function readStore(location: string, key: string): Buffer {
  try {
    return readFileSync(location);
  } catch (err) {
    throw new TlsSetupError(`${key}.location: cannot read ${location}: ${(err as Error).message}`);
  }
}

/** A certificate as PEM text: jks-js gives JKS entries as text, PKCS12 ones as node-forge objects. */
function asPem(cert: unknown): string | undefined {
  if (cert === undefined || typeof cert === "string") return cert;
  return nodeForge().pki.certificateToPem(cert as forgeModule.pki.Certificate);
}

/** Entries of a JKS or PKCS12 store as PEM text. */
function javaStoreEntries(
  bytes: Buffer,
  type: "PKCS12" | "JKS",
  password: string,
  where: string,
): { key?: string; cert?: string; ca?: string }[] {
  try {
    const entries = Object.values(
      type === "JKS" ? jksJs().toPem(bytes, password) : jksJs().parsePkcs12(bytes, password),
    );
    return entries.map((e) => ({ key: e.key, cert: asPem(e.cert), ca: asPem(e.ca) }));
  } catch (err) {
    throw new TlsSetupError(
      `${where}: cannot open the ${type} store (wrong password?): ${(err as Error).message}`,
    );
  }
}

/**
 * A key store as the key and certificate chain to present; `key` names the setting in messages
 * (e.g. "ssl.keyStore").
 */
export function keyStoreOptions(
  store: StoreSettings,
  key: string,
): Pick<SecureContextOptions, "key" | "cert" | "pfx" | "passphrase"> {
  const location = store.location;
  if (location === undefined) throw new TlsSetupError(`${key}.location is not set`);
  const type = storeTypeOf(location, store.type, key);
  const bytes = readStore(location, key);
  const password = storePassword(store, key);
  if (type === "PEM")
    return { key: bytes, cert: bytes, ...(password === "" ? {} : { passphrase: password }) };
  if (type === "PKCS12") return { pfx: bytes, passphrase: password };
  const entry = javaStoreEntries(bytes, type, password, location).find((e) => e.key !== undefined);
  if (entry?.key === undefined || entry.cert === undefined) {
    throw new TlsSetupError(`${key}.location: ${location} holds no private key with its certificate`);
  }
  return { key: entry.key, cert: entry.cert };
}

/** A trust store as the CAs to check the other side against; none set: the platform's CAs. */
export function trustStoreOptions(store: StoreSettings, key: string): Pick<SecureContextOptions, "ca"> {
  const location = store.location;
  if (location === undefined) return {};
  const type = storeTypeOf(location, store.type, key);
  const bytes = readStore(location, key);
  if (type === "PEM") return { ca: bytes };
  const certs = javaStoreEntries(bytes, type, storePassword(store, key), location)
    .flatMap((e) => [e.ca, e.cert])
    .filter((pem): pem is string => pem !== undefined);
  if (certs.length === 0) throw new TlsSetupError(`${key}.location: ${location} holds no certificate`);
  return { ca: certs };
}

/**
 * Calls `reload` when one of the store files changes (checked every second, as ZooKeeper's
 * FileChangeWatcher reloads its stores); returns the stop function.
 */
export function watchStoreFiles(files: ReadonlyArray<string | undefined>, reload: () => void): () => void {
  const watched = files.filter((f): f is string => f !== undefined);
  for (const f of watched) watchFile(f, { interval: 1000, persistent: false }, reload);
  return () => {
    for (const f of watched) unwatchFile(f, reload);
  };
}
