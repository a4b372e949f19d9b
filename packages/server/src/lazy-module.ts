// Third-party modules that only some configurations use (JKS and PKCS12 stores, the Prometheus
// endpoint) load on first use instead of at start. Loading them took about 85 ms of the 300 ms a
// standalone server needed to listen, and a restarted server's first second decides whether a
// client that retries once a second (the Go client) finds it or gives up.
import { createRequire } from "node:module";

const requireFromHere = createRequire(import.meta.url);

/** A getter that loads the CommonJS module `name` the first time it is called. */
export function lazyModule<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= requireFromHere(name) as T;
    return loaded;
  };
}
