// ws, for the peer links: only an ensemble needs it, so a standalone server never loads it.
import { lazyModule } from "../lazy-module.js";

export const wsModule = lazyModule<typeof import("ws")>("ws", () => require("ws"));
