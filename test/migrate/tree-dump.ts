// The whole tree as a client sees it: every path with its data, Stat and ACL.
import type { ACL, Stat, ZooKeeperClient } from "@paddock/client";

export interface DumpedNode {
  data: string | null;
  stat: Stat;
  acl: ACL[];
}

const BATCH = 2000;

/** Breadth first, `BATCH` requests in flight at a time. */
export async function dumpTree(client: ZooKeeperClient): Promise<Map<string, DumpedNode>> {
  const out = new Map<string, DumpedNode>();
  let level = ["/"];
  while (level.length > 0) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += BATCH) {
      const batch = level.slice(i, i + BATCH);
      const results = await Promise.all(
        batch.map(async (path) => {
          const [{ data, stat }, { acl }, children] = await Promise.all([
            client.getData(path),
            client.getACL(path),
            client.getChildren(path),
          ]);
          return { path, data, stat, acl, children };
        }),
      );
      for (const r of results) {
        out.set(r.path, { data: r.data === null ? null : r.data.toString("hex"), stat: r.stat, acl: r.acl });
        for (const c of r.children) next.push(r.path === "/" ? `/${c}` : `${r.path}/${c}`);
      }
    }
    level = next;
  }
  return out;
}

/** Differences between two dumps, at most `limit` of them, for a readable failure. */
export function diffDumps(
  expected: Map<string, DumpedNode>,
  actual: Map<string, DumpedNode>,
  limit = 20,
): string[] {
  const out: string[] = [];
  const show = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `${x}n` : x));
  for (const [path, e] of expected) {
    if (out.length >= limit) return out;
    const a = actual.get(path);
    if (a === undefined) out.push(`missing ${path}`);
    else if (show(a) !== show(e)) out.push(`${path}: expected ${show(e)}\n  actual ${show(a)}`);
  }
  for (const path of actual.keys()) {
    if (out.length >= limit) return out;
    if (!expected.has(path)) out.push(`unexpected ${path}`);
  }
  return out;
}
