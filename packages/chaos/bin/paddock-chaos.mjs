#!/usr/bin/env node
// `npx paddock-chaos` / `npm exec paddock-chaos` from a clone: runs dist/paddock-chaos.mjs (built on demand).
import { runBundle } from "../../../scripts/run-bundle.mjs";

await runBundle("paddock-chaos");
