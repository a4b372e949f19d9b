// Four-letter words: keys, line structure and value kinds compared, never values.
import { describe, expect, it } from "vitest";
import { keysOf, lineShape, MNTR_REQUIRED_KEYS, mntrKinds, textShape } from "../support/four-letter.js";
import { fourLetterWord } from "../support/process.js";
import { skipDifferential, useDifferential } from "./harness.js";
import { create, exists, getChildren } from "./ops.js";

describe.skipIf(skipDifferential)("differential: four-letter words", () => {
  const diff = useDifferential();

  it("answers of every whitelisted word have ZooKeeper's shape", () =>
    diff.run("4lw", async (t) => {
      const word = (w: string) => fourLetterWord(t.server.host, t.server.port, w);
      const c = await t.client({ compare: false });
      await c.call(create(t.root));
      await c.call(create(`${t.root}/eph`, "", 1));
      await c.call(exists(t.root, true));
      await c.call(getChildren(t.root, true));

      expect(await word("ruok")).toBe("imok");
      t.record("isro", await word("isro"));

      const withoutVersion = (text: string) =>
        textShape(text.replace(/^Zookeeper version: .*$/m, "Zookeeper version: V"));
      const srvr = await word("srvr");
      expect(srvr).toMatch(/^Mode: standalone$/m);
      t.record("srvr", withoutVersion(srvr));

      // Client lines of `stat` come in connection order; compare them as a sorted set.
      const stat = withoutVersion(await word("stat"));
      const clients = stat.lines.filter((l) => l.startsWith(" /"));
      t.record("stat", {
        ...stat,
        lines: stat.lines.filter((l) => !l.startsWith(" /")),
        clientLines: [...new Set(clients)].sort(),
      });

      const cons = await word("cons");
      t.record("cons", {
        trailingNewline: cons.endsWith("\n"),
        lines: [...new Set(cons.split("\n").map((l) => lineShape(l.replace(/lop=\w+/, "lop=OP"))))].sort(),
      });

      t.record("wchs", textShape(await word("wchs")));
      t.record("wchc", textShape(await word("wchc")));
      t.record("wchp", textShape(await word("wchp")));

      // Expiry buckets depend on timing, so only the distinct line shapes are compared.
      const dump = textShape(await word("dump"));
      t.record("dump", [...new Set(dump.lines)]);

      const envi = await word("envi");
      t.record("envi", keysOf(envi, "="));
      const conf = await word("conf");
      t.record("conf", { keys: keysOf(conf, "="), trailingNewline: conf.endsWith("\n") });
      t.record("dirs", textShape(await word("dirs")));

      const mntr = await word("mntr");
      const kinds = mntrKinds(mntr);
      t.record("mntr", {
        firstKeys: [...kinds.keys()].slice(0, 2),
        state: /^zk_server_state\t(.*)$/m.exec(mntr)?.[1],
        required: MNTR_REQUIRED_KEYS.map((k) => `${k}:${kinds.get(k) ?? "missing"}`),
        malformedLines: mntr.split("\n").filter((l) => l.length > 0 && !/^zk_[a-z0-9_]+\t/.test(l)),
        trailingNewline: mntr.endsWith("\n"),
      });

      t.record("gtmk", lineShape(await word("gtmk")));
      t.record("crst", await word("crst"));
      t.record("srst", await word("srst"));
      t.record("unknown-word", await word("abcd"));
    }));

  it("four-letter words are plain frame lengths after the handshake", () =>
    diff.run("4lw-after-handshake", async (t) => {
      const c = await t.client();
      c.sendBytes(Buffer.from("ruok"));
      await c.waitClosed();
    }));
});
