// TLS for the client port from ZooKeeper's ssl.* keys: the key store (PEM, PKCS12 or JKS, the
// type from ssl.keyStore.type or the file name, as ZooKeeper infers it), the trust store that
// client certificates are checked against, ssl.clientAuth (need / want / none), the protocols,
// and, only when ssl.clientHostnameVerification asks for it (ZooKeeper 3.9.4's key, off by
// default as ZooKeeper has always had it), that a client's certificate names the address it
// connects from. The stores are read again when their files change.

import {
  checkServerIdentity,
  type PeerCertificate,
  type SecureVersion,
  type TLSSocket,
  type TlsOptions,
} from "node:tls";
import { isTls13Suite, JAVA_TO_OPENSSL_SUITES, suiteList } from "../config/cipher-suites.js";
import type { ServerConfig } from "../config/index.js";
import { keyStoreOptions, TlsSetupError, trustStoreOptions } from "./key-stores.js";

export type ClientTlsConfig = Pick<
  ServerConfig,
  | "sslKeyStoreLocation"
  | "sslKeyStorePassword"
  | "sslKeyStoreType"
  | "sslKeyStorePasswordPath"
  | "sslTrustStoreLocation"
  | "sslTrustStorePassword"
  | "sslTrustStoreType"
  | "sslTrustStorePasswordPath"
  | "sslClientAuth"
  | "sslProtocol"
  | "sslEnabledProtocols"
  | "sslHostnameVerification"
  | "sslClientHostnameVerification"
  | "sslCiphersuites"
>;

function serverKeyStore(c: ClientTlsConfig): ReturnType<typeof keyStoreOptions> {
  if (c.sslKeyStoreLocation === undefined) {
    throw new TlsSetupError(
      "secureClientPort is set but ssl.keyStore.location is not: the server has no certificate",
    );
  }
  return keyStoreOptions(
    {
      location: c.sslKeyStoreLocation,
      password: c.sslKeyStorePassword,
      passwordPath: c.sslKeyStorePasswordPath,
      type: c.sslKeyStoreType,
    },
    "ssl.keyStore",
  );
}

const PROTOCOLS: readonly SecureVersion[] = ["TLSv1.2", "TLSv1.3"];

/**
 * The protocols `<prefix>enabledProtocols` (or else `<prefix>protocol`) names, as the range Node
 * takes; neither set: TLS 1.2 and 1.3.
 */
export function protocolRange(
  enabledProtocols: string | undefined,
  protocol: string | undefined,
  prefix: string,
): Pick<TlsOptions, "minVersion" | "maxVersion"> {
  const named = enabledProtocols ?? protocol;
  if (named === undefined) return { minVersion: "TLSv1.2", maxVersion: "TLSv1.3" };
  const list = named
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  for (const p of list) {
    if (!PROTOCOLS.includes(p as SecureVersion)) {
      const key = `${prefix}${enabledProtocols === undefined ? "protocol" : "enabledProtocols"}`;
      throw new TlsSetupError(`${key}: ${p} is not supported (TLSv1.2 and TLSv1.3 are)`);
    }
  }
  const sorted = [...list].sort() as SecureVersion[];
  return { minVersion: sorted[0], maxVersion: sorted.at(-1) };
}

/**
 * ssl.ciphersuites (Java's names) as Node's options: exactly those suites, as ZooKeeper enables
 * exactly them. Node offers its default TLS 1.3 suites whatever the list says, so a list without
 * a TLS 1.3 suite also caps the protocol at TLS 1.2 (and one with only TLS 1.3 suites raises it).
 */
export function cipherSuiteOptions(
  text: string | undefined,
  range: Pick<TlsOptions, "minVersion" | "maxVersion">,
  key: string,
): Pick<TlsOptions, "ciphers" | "minVersion" | "maxVersion"> {
  if (text === undefined) return range;
  const names = suiteList(text);
  let { minVersion = "TLSv1.2", maxVersion = "TLSv1.3" } = range;
  if (!names.some(isTls13Suite)) maxVersion = "TLSv1.2";
  if (names.every(isTls13Suite)) minVersion = "TLSv1.3";
  if (minVersion > maxVersion) {
    throw new TlsSetupError(`${key}: none of its suites can be used with the enabled protocols`);
  }
  const ciphers = names.map((n) => {
    const openssl = JAVA_TO_OPENSSL_SUITES.get(n);
    if (openssl === undefined) throw new TlsSetupError(`${key}: unknown cipher suite ${n}`);
    return openssl;
  });
  return { ciphers: ciphers.join(":"), minVersion, maxVersion };
}

/** The options of the client port's TLS server, read from the stores now. */
export function clientTlsOptions(c: ClientTlsConfig): TlsOptions {
  const auth = c.sslClientAuth.toLowerCase();
  return {
    ...serverKeyStore(c),
    ...trustStoreOptions(
      {
        location: c.sslTrustStoreLocation,
        password: c.sslTrustStorePassword,
        passwordPath: c.sslTrustStorePasswordPath,
        type: c.sslTrustStoreType,
      },
      "ssl.trustStore",
    ),
    ...cipherSuiteOptions(
      c.sslCiphersuites,
      protocolRange(c.sslEnabledProtocols, c.sslProtocol, "ssl."),
      "ssl.ciphersuites",
    ),
    requestCert: auth !== "none",
    // "want": a certificate is asked for, and a client without one still gets in; one with a
    // certificate the trust store does not vouch for is refused after the handshake
    // (untrustedCertificate).
    rejectUnauthorized: auth === "need",
  };
}

/**
 * Why a certificate the client sent is not taken, though the handshake let it through: with
 * clientAuth "want" Node finishes the handshake whatever the certificate, where Java's (and so
 * ZooKeeper's) fails it when a certificate is sent and the trust store does not vouch for it.
 * A client that sends none is let in.
 */
export function untrustedCertificate(
  socket: Pick<TLSSocket, "authorized" | "authorizationError" | "getPeerCertificate">,
): string | undefined {
  if (socket.authorized) return undefined;
  if (socket.getPeerCertificate()?.raw === undefined) return undefined;
  return `certificate not trusted: ${String(socket.authorizationError)}`;
}

/**
 * Why a client's certificate does not name the address it connects from, or undefined when it
 * does (or the check is off, as by default, or the client sent none).
 */
export function clientAddressMismatch(
  c: ClientTlsConfig,
  remoteAddress: string | undefined,
  cert: PeerCertificate | undefined,
): string | undefined {
  if (
    !c.sslHostnameVerification ||
    !c.sslClientHostnameVerification ||
    cert === undefined ||
    cert.raw === undefined ||
    remoteAddress === undefined
  ) {
    return undefined;
  }
  const address = remoteAddress.startsWith("::ffff:") ? remoteAddress.slice("::ffff:".length) : remoteAddress;
  return checkServerIdentity(address, cert)?.message;
}
