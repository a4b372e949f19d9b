// Third-party modules that only some configurations use (JKS and PKCS12 stores, the Prometheus
// endpoint, and ws and protobufjs for an ensemble's peer links) load on first use instead of at
// start. In a standalone server they took about 65 ms of the 250 ms it needed to listen, and a
// restarted server's first second decides whether a client that retries once a second (the Go
// client) finds it or gives up.
//
// Each caller also names its module in a literal `require("...")`, because that call is what
// esbuild sees: the image's bundle (deploy/bundle.mjs) then carries the module and runs it on
// the first call, and the dist/ bundle leaves it to node_modules. Both bundles define `require`.
// Run from source under tsx an ES module has none, and the name is required from here instead.
import { createRequire } from "node:module";

const requireFromHere = createRequire(import.meta.url);

/** A getter that loads the module `name` the first time it is called; `load` requires it. */
export function lazyModule<T>(name: string, load: () => unknown): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= (typeof require === "function" ? load() : requireFromHere(name)) as T;
    return loaded;
  };
}
