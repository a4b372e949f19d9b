/**
 * Splits a command line like zkCli: whitespace separates words; a word starting with a quote
 * runs to the matching quote and loses the quotes ("a b" -> a b, 'x' -> x).
 */
export function tokenize(line: string): string[] {
  const out: string[] = [];
  const re = /\s*([^"'\s]\S*|"[^"]*"|'[^']*')\s*/gy;
  let m: RegExpExecArray | null;
  let last = 0;
  for (;;) {
    m = re.exec(line);
    if (m === null) break;
    last = re.lastIndex;
    const word = m[1] as string;
    const quoted = /^(['"])(.*)\1$/s.exec(word);
    out.push(quoted === null ? word : (quoted[2] as string));
  }
  // An unterminated quote: take the rest as one word, as the user most likely meant.
  const rest = line.slice(last).trim();
  if (rest !== "") out.push(rest.replace(/^['"]/, ""));
  return out;
}
