import { getCiphers } from "node:tls";
import { describe, expect, it } from "vitest";
import { JAVA_TO_OPENSSL_SUITES } from "../../src/config/cipher-suites.js";
import { TlsSetupError } from "../../src/net/key-stores.js";
import { cipherSuiteOptions } from "../../src/net/tls-context.js";

const BOTH = { minVersion: "TLSv1.2", maxVersion: "TLSv1.3" } as const;

describe("ssl.ciphersuites as Node's options", () => {
  it("maps Java's names to OpenSSL's and keeps the protocols the suites can use", () => {
    expect(cipherSuiteOptions(undefined, BOTH, "k")).toEqual(BOTH);
    expect(cipherSuiteOptions("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", BOTH, "k")).toEqual({
      ciphers: "ECDHE-RSA-AES128-GCM-SHA256",
      minVersion: "TLSv1.2",
      maxVersion: "TLSv1.2",
    });
    expect(cipherSuiteOptions("TLS_AES_128_GCM_SHA256", BOTH, "k")).toEqual({
      ciphers: "TLS_AES_128_GCM_SHA256",
      minVersion: "TLSv1.3",
      maxVersion: "TLSv1.3",
    });
    expect(cipherSuiteOptions("TLS_AES_128_GCM_SHA256, TLS_RSA_WITH_AES_128_CBC_SHA", BOTH, "k")).toEqual({
      ciphers: "TLS_AES_128_GCM_SHA256:AES128-SHA",
      ...BOTH,
    });
  });

  it("refuses suites that the enabled protocols cannot use", () => {
    expect(() =>
      cipherSuiteOptions(
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        { minVersion: "TLSv1.3", maxVersion: "TLSv1.3" },
        "ssl.ciphersuites",
      ),
    ).toThrow(TlsSetupError);
  });

  it("maps only to suites this Node's OpenSSL offers", () => {
    const offered = new Set(getCiphers());
    for (const openssl of JAVA_TO_OPENSSL_SUITES.values()) expect(offered).toContain(openssl.toLowerCase());
  });
});
