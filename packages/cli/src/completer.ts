// Tab completion in the interactive shell, as zkCli's JLineZNodeCompleter does it: the word
// under the cursor completes to a command name, or, when it starts with "/", to the children of
// the node before its last "/".

import type { ZooKeeperClient } from "@paddock/client";

/** [candidates, the text they replace], the shape node:readline's completer returns. */
export type Completion = [string[], string];

export async function completeLine(
  line: string,
  commands: readonly string[],
  client: ZooKeeperClient | null,
  timeoutMs = 2000,
): Promise<Completion> {
  const token = line.endsWith(" ") ? "" : (line.split(" ").at(-1) ?? "");
  if (!token.startsWith("/")) return [commands.filter((c) => c.startsWith(token)), token];
  const slash = token.lastIndexOf("/");
  const prefix = token.slice(slash + 1);
  // Only the root may end in "/": "/a/b" lists "/a", "/ab" lists "/".
  const dir = slash === 0 ? "/" : token.slice(0, slash);
  if (client === null || client.state !== "connected") return [[], prefix];
  let children: string[];
  try {
    children = await Promise.race([
      client.getChildren(dir),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), timeoutMs).unref()),
    ]);
  } catch {
    // A missing node, no permission or a slow server: nothing to offer, as in zkCli.
    return [[], prefix];
  }
  return [children.filter((c) => c.startsWith(prefix)).sort(), prefix];
}

/** The callback form node:readline takes, completing against the session's current client. */
export function shellCompleter(
  commands: readonly string[],
  client: () => ZooKeeperClient | null,
): (line: string, done: (err: null, result: Completion) => void) => void {
  return (line, done) => {
    void completeLine(line, commands, client()).then((r) => done(null, r));
  };
}
