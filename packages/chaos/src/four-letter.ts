import { fourLetterWord } from "@paddock/client";

export type Mode = "leader" | "follower" | "observer" | "not serving" | "down";

export async function serverMode(host: string, port: number, timeoutMs = 1000): Promise<Mode> {
  try {
    const out = await fourLetterWord(host, port, "srvr", timeoutMs);
    const m = /^Mode: (\w+)/m.exec(out);
    return m === null ? "not serving" : (m[1] as Mode);
  } catch {
    return "down";
  }
}
