// Two ensembles of the same shape run on different ports; before their outputs are compared each
// member's ports are replaced by names: Q<id> (quorum), E<id> (election), C<id> (client).
import type { EnsembleMember } from "../../packages/bench/src/servers.js";

export function portNamer(members: readonly EnsembleMember[]): (text: string) => string {
  const names = new Map<string, string>();
  for (const m of members) {
    names.set(String(m.peerPort), `Q${m.id}`);
    names.set(String(m.electionPort), `E${m.id}`);
    names.set(String(m.clientPort), `C${m.id}`);
  }
  return (text) => text.replace(/\b\d{4,5}\b/g, (p) => names.get(p) ?? p);
}
