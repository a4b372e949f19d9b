#!/usr/bin/env node
// `npx paddock-cli` / `npm exec paddock-cli` from a clone: runs dist/paddock-cli.mjs (built on demand).
import { runBundle } from "../../../scripts/run-bundle.mjs";

await runBundle("paddock-cli");
