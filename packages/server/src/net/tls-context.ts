// TLS for the client port from ZooKeeper's ssl.* keys: the key store (PEM, PKCS12 or JKS, the
// type from ssl.keyStore.type or the file name, as ZooKeeper infers it), the trust store that
// client certificates are checked against, ssl.clientAuth (need / want / none), the protocols,
// and, as ZooKeeper's trust manager does, that a client's certificate names the address it
// connects from (ssl.hostnameVerification). The stores are read again when their files change.

import { checkServerIdentity, type PeerCertificate, type SecureVersion, type TlsOptions } from "node:tls";
import type { ServerConfig } from "../config/index.js";
import { keyStoreOptions, TlsSetupError, trustStoreOptions } from "./key-stores.js";

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

function serverKeyStore(c: ClientTlsConfig): ReturnType<typeof keyStoreOptions> {
  if (c.sslKeyStoreLocation === undefined) {
    throw new TlsSetupError(
      "secureClientPort is set but ssl.keyStore.location is not: the server has no certificate",
    );
  }
  return keyStoreOptions(
    { location: c.sslKeyStoreLocation, password: c.sslKeyStorePassword, type: c.sslKeyStoreType },
    "ssl.keyStore",
  );
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
    ...serverKeyStore(c),
    ...trustStoreOptions(
      { location: c.sslTrustStoreLocation, password: c.sslTrustStorePassword, type: c.sslTrustStoreType },
      "ssl.trustStore",
    ),
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
