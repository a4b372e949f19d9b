// TLS for the client port from ZooKeeper's ssl.* keys: the key store (PEM, PKCS12 or JKS, the
// type from ssl.keyStore.type or the file name, as ZooKeeper infers it), the trust store that
// client certificates are checked against, ssl.clientAuth (need / want / none), the protocols,
// and, as ZooKeeper's trust manager does, that a client's certificate names the address it
// connects from (ssl.hostnameVerification). The stores are read again when their files change.

import { readFileSync, unwatchFile, watchFile } from "node:fs";
import { extname } from "node:path";
import { checkServerIdentity, type PeerCertificate, type SecureVersion, type TlsOptions } from "node:tls";
import jks from "jks-js";
import forge from "node-forge";
import type { ServerConfig } from "../config/index.js";

export type ClientTlsConfig = Pick<
  ServerConfig,
  | "sslKeyStoreLocation"
  | "sslKeyStorePassword"
  | "sslKeyStoreType"
  | "sslTrustStoreLocation"
  | "sslTrustStorePassword"
  | "sslTrustStoreType"
  | "sslClientAuth"
  | "sslProtocol"
  | "sslEnabledProtocols"
  | "sslHostnameVerification"
>;

/** A TLS setting that cannot be used: the server does not start (never plaintext instead). */
export class TlsSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TlsSetupError";
  }
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
  return forge.pki.certificateToPem(cert as forge.pki.Certificate);
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
      type === "JKS" ? jks.toPem(bytes, password) : jks.parsePkcs12(bytes, password),
    );
    return entries.map((e) => ({ key: e.key, cert: asPem(e.cert), ca: asPem(e.ca) }));
  } catch (err) {
    throw new TlsSetupError(
      `${where}: cannot open the ${type} store (wrong password?): ${(err as Error).message}`,
    );
  }
}

function keyStoreOptions(c: ClientTlsConfig): Pick<TlsOptions, "key" | "cert" | "pfx" | "passphrase"> {
  const location = c.sslKeyStoreLocation;
  if (location === undefined) {
    throw new TlsSetupError(
      "secureClientPort is set but ssl.keyStore.location is not: the server has no certificate",
    );
  }
  const type = storeTypeOf(location, c.sslKeyStoreType, "ssl.keyStore");
  const bytes = readStore(location, "ssl.keyStore");
  const password = c.sslKeyStorePassword ?? "";
  if (type === "PEM")
    return { key: bytes, cert: bytes, ...(password === "" ? {} : { passphrase: password }) };
  if (type === "PKCS12") return { pfx: bytes, passphrase: password };
  const entry = javaStoreEntries(bytes, type, password, location).find((e) => e.key !== undefined);
  if (entry?.key === undefined || entry.cert === undefined) {
    throw new TlsSetupError(`ssl.keyStore.location: ${location} holds no private key with its certificate`);
  }
  return { key: entry.key, cert: entry.cert };
}

function trustStoreOptions(c: ClientTlsConfig): Pick<TlsOptions, "ca"> {
  const location = c.sslTrustStoreLocation;
  // No trust store: the platform's CAs, as the JVM's default trust store would be.
  if (location === undefined) return {};
  const type = storeTypeOf(location, c.sslTrustStoreType, "ssl.trustStore");
  const bytes = readStore(location, "ssl.trustStore");
  if (type === "PEM") return { ca: bytes };
  const certs = javaStoreEntries(bytes, type, c.sslTrustStorePassword ?? "", location)
    .flatMap((e) => [e.ca, e.cert])
    .filter((pem): pem is string => pem !== undefined);
  if (certs.length === 0)
    throw new TlsSetupError(`ssl.trustStore.location: ${location} holds no certificate`);
  return { ca: certs };
}

const PROTOCOLS: readonly SecureVersion[] = ["TLSv1.2", "TLSv1.3"];

function protocolRange(c: ClientTlsConfig): Pick<TlsOptions, "minVersion" | "maxVersion"> {
  const named = c.sslEnabledProtocols ?? c.sslProtocol;
  if (named === undefined) return { minVersion: "TLSv1.2", maxVersion: "TLSv1.3" };
  const list = named
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  for (const p of list) {
    if (!PROTOCOLS.includes(p as SecureVersion)) {
      const key = c.sslEnabledProtocols === undefined ? "ssl.protocol" : "ssl.enabledProtocols";
      throw new TlsSetupError(`${key}: ${p} is not supported (TLSv1.2 and TLSv1.3 are)`);
    }
  }
  const sorted = [...list].sort() as SecureVersion[];
  return { minVersion: sorted[0], maxVersion: sorted.at(-1) };
}

/** The options of the client port's TLS server, read from the stores now. */
export function clientTlsOptions(c: ClientTlsConfig): TlsOptions {
  const auth = c.sslClientAuth.toLowerCase();
  return {
    ...keyStoreOptions(c),
    ...trustStoreOptions(c),
    ...protocolRange(c),
    requestCert: auth !== "none",
    // "want": a certificate is asked for, and a client without one (or with a bad one) still gets in.
    rejectUnauthorized: auth === "need",
  };
}

/**
 * Why a client's certificate does not name the address it connects from, or undefined when it
 * does (or hostname verification is off, or the client sent none).
 */
export function clientAddressMismatch(
  c: ClientTlsConfig,
  remoteAddress: string | undefined,
  cert: PeerCertificate | undefined,
): string | undefined {
  if (
    !c.sslHostnameVerification ||
    cert === undefined ||
    cert.raw === undefined ||
    remoteAddress === undefined
  ) {
    return undefined;
  }
  const address = remoteAddress.startsWith("::ffff:") ? remoteAddress.slice("::ffff:".length) : remoteAddress;
  return checkServerIdentity(address, cert)?.message;
}

/** Calls `reload` when a store file changes (ZooKeeper reloads its stores the same way). */
export function watchStores(c: ClientTlsConfig, reload: () => void): () => void {
  const files = [c.sslKeyStoreLocation, c.sslTrustStoreLocation].filter((f): f is string => f !== undefined);
  for (const f of files) watchFile(f, { interval: 1000, persistent: false }, reload);
  return () => {
    for (const f of files) unwatchFile(f, reload);
  };
}
