// While connected to a read-only server, look for one that serves writes again, as ZooKeeper's
// Java client does: ask the other hosts `isro` one at a time, 100 ms apart at first and doubling
// up to a minute between questions; the first that answers "rw" is where the client moves.
import type { HostPort } from "./connect-string.js";
import { fourLetterWord } from "./four-letter.js";

const FIRST_PAUSE_MS = 100;
const MAX_PAUSE_MS = 60_000;
const ANSWER_TIMEOUT_MS = 1000;

export class ReadWriteSeeker {
  private timer: NodeJS.Timeout | undefined;
  private pauseMs = FIRST_PAUSE_MS;
  private generation = 0;

  /**
   * `nextHost` yields the host to ask next (round-robin over the connect string), `onFound`
   * is told about a read-write one.
   */
  constructor(
    private readonly nextHost: () => HostPort,
    private readonly onFound: (host: HostPort) => void,
  ) {}

  /** Starts asking; `current` (the read-only server) is skipped. */
  start(current: HostPort): void {
    this.stop();
    const generation = ++this.generation;
    this.pauseMs = FIRST_PAUSE_MS;
    const tick = async () => {
      const host = this.nextHost();
      let answer = "";
      if (host.host !== current.host || host.port !== current.port) {
        answer = await fourLetterWord(host.host, host.port, "isro", ANSWER_TIMEOUT_MS).catch(() => "");
      }
      if (generation !== this.generation) return;
      if (answer.trim() === "rw") {
        this.timer = undefined;
        this.onFound(host);
        return;
      }
      this.pauseMs = Math.min(this.pauseMs * 2, MAX_PAUSE_MS);
      this.timer = setTimeout(() => void tick(), this.pauseMs);
    };
    this.timer = setTimeout(() => void tick(), this.pauseMs);
  }

  stop(): void {
    this.generation++;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
