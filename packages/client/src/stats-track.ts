// The text of /zookeeper/quota/<path>/zookeeper_limits and zookeeper_stats
// (org.apache.zookeeper.StatsTrack): read by servers to keep stats, by zkCli's quota commands.

/**
 * ZooKeeper's StatsTrack text: `count=N,bytes=M`, then (only when other keys exist) `=` and
 * `;key=value` for each other key in sorted order. Parsing splits on runs of `,` and `;`; a key
 * with an empty value reads as -1; missing count/bytes read as -1.
 */
export class StatsTrack {
  readonly values = new Map<string, number>();

  static parse(text: string): StatsTrack {
    const track = new StatsTrack();
    for (const pair of text.split(/[,;]+/)) {
      if (pair === "") continue;
      const parts = pair.split("=").filter((p, i, all) => i < all.length - 1 || p !== "");
      const key = parts[0] ?? "";
      const raw = parts[1] ?? "";
      const value = raw === "" ? -1 : Number(raw);
      // Unparsable stats are left to the client who wrote them: they count as unknown (-1).
      track.values.set(key, Number.isSafeInteger(value) ? value : -1);
    }
    return track;
  }

  get count(): number {
    return this.values.get("count") ?? -1;
  }

  set count(v: number) {
    this.values.set("count", v);
  }

  get bytes(): number {
    return this.values.get("bytes") ?? -1;
  }

  set bytes(v: number) {
    this.values.set("bytes", v);
  }

  toString(): string {
    const others = [...this.values.keys()].filter((k) => k !== "count" && k !== "bytes").sort();
    let text = `count=${this.count},bytes=${this.bytes}`;
    if (others.length > 0) text += `=${others.map((k) => `;${k}=${this.values.get(k)}`).join("")}`;
    return text;
  }
}
