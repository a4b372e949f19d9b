#!/usr/bin/env node
// `npx paddock-bench` / `npm exec paddock-bench` from a clone: runs dist/paddock-bench.mjs (built on demand).
import { runBundle } from "../../../scripts/run-bundle.mjs";

await runBundle("paddock-bench");
