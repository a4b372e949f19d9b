// Process trees from /proc, for tests that check nothing outlives its parent.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Every descendant of `pid`, from /proc (children of every thread). */
export function descendants(pid: number): number[] {
  const out: number[] = [];
  const tasks = join("/proc", String(pid), "task");
  if (!existsSync(tasks)) return out;
  for (const tid of readdirSync(tasks)) {
    let text = "";
    try {
      text = readFileSync(join(tasks, tid, "children"), "utf8");
    } catch {
      continue;
    }
    for (const child of text.split(" ").filter(Boolean).map(Number)) out.push(child, ...descendants(child));
  }
  return out;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
