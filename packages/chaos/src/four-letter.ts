import { createConnection } from "node:net";

/** Sends a four-letter word on a fresh connection and returns the reply (throws on timeout). */
export function fourLetterWord(host: string, port: number, word: string, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${word} to ${host}:${port}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on("connect", () => socket.write(word));
    socket.on("data", (c) => chunks.push(c));
    socket.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
  });
}

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
