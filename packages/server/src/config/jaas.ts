// The JAAS login configuration file ZooKeeper users already have (named by
// java.security.auth.login.config): sections of login modules with options, in the syntax of
// Java's ConfigFile. Paddock reads the DigestLoginModule sections it needs: the server's users
// (`user_<name>="<password>"`, section `Server`) and the quorum's credentials (`QuorumServer`,
// `QuorumLearner`).
//
//   Server {
//     org.apache.zookeeper.server.auth.DigestLoginModule required
//     user_bob="bobsecret";
//   };

import { readFileSync } from "node:fs";
import { ConfigError } from "./errors.js";

export interface JaasEntry {
  loginModule: string;
  /** required, requisite, sufficient or optional. */
  flag: string;
  options: ReadonlyMap<string, string>;
}

/** Sections by name, each a list of login module entries. */
export type JaasConfig = ReadonlyMap<string, readonly JaasEntry[]>;

const FLAGS = new Set(["required", "requisite", "sufficient", "optional"]);

type Token = { kind: "word" | "string" | "punct"; text: string; line: number };

function tokenize(text: string, file: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "\n") {
      line++;
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "#") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      if (end < 0) throw new ConfigError("unterminated /* comment", { file, line });
      for (let k = i; k < end; k++) if (text[k] === "\n") line++;
      i = end + 2;
    } else if (c === '"') {
      const startLine = line;
      let value = "";
      i++;
      for (;;) {
        if (i >= text.length) throw new ConfigError("unterminated quoted value", { file, line: startLine });
        const q = text[i]!;
        if (q === '"') break;
        if (q === "\n") line++;
        if (q === "\\" && i + 1 < text.length) {
          // Java's StreamTokenizer escapes.
          const e = text[i + 1]!;
          value += { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f" }[e] ?? e;
          i += 2;
          continue;
        }
        value += q;
        i++;
      }
      i++;
      tokens.push({ kind: "string", text: value, line: startLine });
    } else if ("{};=".includes(c)) {
      tokens.push({ kind: "punct", text: c, line });
      i++;
    } else {
      let word = "";
      while (i < text.length && !/[\s{};="]/.test(text[i]!)) word += text[i++];
      tokens.push({ kind: "word", text: word, line });
    }
  }
  return tokens;
}

/** Parses a JAAS file; a syntax error names the file and line, as Java's ConfigFile does. */
export function parseJaas(text: string, file: string): JaasConfig {
  const tokens = tokenize(text, file);
  const sections = new Map<string, JaasEntry[]>();
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const lastLine = () => tokens[tokens.length - 1]?.line ?? 1;
  const expect = (what: string, ok: (t: Token) => boolean): Token => {
    const t = tokens[pos];
    if (t === undefined)
      throw new ConfigError(`expected ${what}, found end of file`, { file, line: lastLine() });
    if (!ok(t)) throw new ConfigError(`expected ${what}, found "${t.text}"`, { file, line: t.line });
    pos++;
    return t;
  };
  const punct = (p: string) => (t: Token) => t.kind === "punct" && t.text === p;
  while (pos < tokens.length) {
    const name = expect("a section name", (t) => t.kind === "word").text;
    expect('"{"', punct("{"));
    const entries: JaasEntry[] = [];
    while (peek() !== undefined && !punct("}")(peek()!)) {
      const loginModule = expect("a login module class", (t) => t.kind === "word").text;
      const flagToken = expect("a control flag", (t) => t.kind === "word");
      const flag = flagToken.text.toLowerCase();
      if (!FLAGS.has(flag)) {
        throw new ConfigError(
          `invalid control flag "${flagToken.text}" (expected required, requisite, sufficient or optional)`,
          { file, line: flagToken.line },
        );
      }
      const options = new Map<string, string>();
      while (peek() !== undefined && !punct(";")(peek()!)) {
        if (punct("}")(peek()!)) {
          throw new ConfigError(`expected ";" after the options of ${loginModule}`, {
            file,
            line: peek()!.line,
          });
        }
        const key = expect("an option name", (t) => t.kind === "word").text;
        expect('"="', punct("="));
        const value = expect("an option value", (t) => t.kind === "word" || t.kind === "string").text;
        options.set(key, value);
      }
      expect('";"', punct(";"));
      entries.push({ loginModule, flag, options });
    }
    expect('"}"', punct("}"));
    expect('";"', punct(";"));
    // Java's ConfigFile appends the entries of a section named twice.
    sections.set(name, [...(sections.get(name) ?? []), ...entries]);
  }
  return sections;
}

/** Reads and parses the file, with a one-line error naming it when it cannot be read. */
export function loadJaasFile(path: string, key: string): JaasConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(
      `cannot read the JAAS file ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`,
      {
        file: path,
        key,
      },
    );
  }
  return parseJaas(text, path);
}

/** `user_<name>="<password>"` of every entry of a section: what a DigestLoginModule server accepts. */
export function jaasUsers(config: JaasConfig, section: string): Map<string, string> {
  const users = new Map<string, string>();
  for (const entry of config.get(section) ?? []) {
    for (const [k, v] of entry.options) if (k.startsWith("user_")) users.set(k.slice("user_".length), v);
  }
  return users;
}

/** `username` / `password` of a section's first entry that has both: a DigestLoginModule client. */
export function jaasCredentials(
  config: JaasConfig,
  section: string,
): { username: string; password: string } | undefined {
  for (const entry of config.get(section) ?? []) {
    const username = entry.options.get("username");
    const password = entry.options.get("password");
    if (username !== undefined && password !== undefined) return { username, password };
  }
  return undefined;
}
