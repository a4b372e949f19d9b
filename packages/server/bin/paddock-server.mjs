#!/usr/bin/env node
// `npx paddock-server` / `npm exec paddock-server` from a clone: runs dist/paddock-server.mjs (built on demand).
import { runBundle } from "../../../scripts/run-bundle.mjs";

await runBundle("paddock-server");
