// The client ports a configuration asks for: clientPort (plaintext; 2181 when neither port is
// set) and secureClientPort (TLS), with the same request path behind both.

import type { ServerConfig } from "../config/index.js";
import type { Logger } from "../logger.js";
import type { ConnectionContext } from "./client-connection.js";
import { ClientListener, type ClientListenerOptions } from "./client-listener.js";
import type { ConnectionRegistry } from "./connection-registry.js";
import { watchStoreFiles } from "./key-stores.js";
import { clientAddressMismatch, clientTlsOptions, untrustedCertificate } from "./tls-context.js";
import { x509Identities } from "./x509-identity.js";

export class ClientListeners {
  private readonly plain: ClientListener | undefined;
  private readonly secure: ClientListener | undefined;

  constructor(
    config: ServerConfig,
    deps: { log: Logger; context: ConnectionContext; registry: ConnectionRegistry },
  ) {
    const common = {
      maxClientCnxns: config.maxClientCnxns,
      listenBacklog: config.clientPortListenBacklog,
      handshakeDeadlineMs: config.sessionlessCnxnTimeoutMs,
      ...deps,
    };
    const tlsFor = (unified: boolean): NonNullable<ClientListenerOptions["tls"]> => {
      // Read now, so a store that cannot be used stops the start instead of the first client.
      const options = clientTlsOptions(config);
      const x509 = config.authSchemes.has("x509");
      return {
        options,
        reload: () => clientTlsOptions(config),
        refuse: (socket) =>
          untrustedCertificate(socket) ??
          clientAddressMismatch(config, socket.remoteAddress, socket.getPeerCertificate()),
        // As ZooKeeper's X509AuthenticationProvider: a verified certificate's subject is the id.
        identify: (socket) => {
          if (!x509 || !socket.authorized) return [];
          const raw = socket.getPeerCertificate().raw;
          return raw === undefined ? [] : x509Identities(raw, config.x509SuperUser);
        },
        // client.certReload (ZooKeeper 3.9); off, the stores stay as they were read at start.
        watch: (reload) =>
          config.clientCertReload
            ? watchStoreFiles([config.sslKeyStoreLocation, config.sslTrustStoreLocation], reload)
            : () => {},
        unified,
      };
    };
    if (config.clientPort !== undefined || config.secureClientPort === undefined) {
      this.plain = new ClientListener({
        port: config.clientPort ?? 2181,
        host: config.clientPortAddress,
        ...common,
        // client.portUnification: TLS clients on the plaintext port too (rolling TLS enablement).
        ...(config.clientPortUnification ? { tls: tlsFor(true) } : {}),
      });
    }
    if (config.secureClientPort !== undefined) {
      this.secure = new ClientListener({
        port: config.secureClientPort,
        host: config.secureClientPortAddress,
        ...common,
        tls: tlsFor(false),
      });
    }
  }

  /** The plaintext port if there is one, else the secure one (useful when zoo.cfg asks for port 0). */
  get port(): number {
    return (this.plain ?? this.secure)?.port ?? 0;
  }

  get securePort(): number | undefined {
    return this.secure?.port;
  }

  async listen(): Promise<void> {
    await this.plain?.listen();
    await this.secure?.listen();
  }

  async close(): Promise<void> {
    await this.secure?.close();
    await this.plain?.close();
  }
}
