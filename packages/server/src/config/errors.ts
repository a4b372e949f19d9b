/** Where a configuration problem was found; every part is optional except the file. */
export interface ConfigLocation {
  file: string;
  /** 1-based line of the entry (its first physical line); undefined when not line-specific. */
  line?: number | undefined;
  key?: string | undefined;
}

/**
 * A configuration the server refuses to start with. `detail` uses ZooKeeper's wording where
 * ZooKeeper has one, so that operators can search for it; `message` prefixes it with
 * `file:line: key: ` because ZooKeeper itself never says where the problem is.
 */
export class ConfigError extends Error {
  readonly file: string;
  readonly line: number | undefined;
  readonly key: string | undefined;
  readonly detail: string;

  constructor(detail: string, where: ConfigLocation) {
    super(`${formatLocation(where)}${detail}`);
    this.name = "ConfigError";
    this.file = where.file;
    this.line = where.line;
    this.key = where.key;
    this.detail = detail;
  }
}

/** `file:line: key: ` with the missing parts left out; also used for warnings. */
export function formatLocation(where: ConfigLocation): string {
  let prefix = where.file;
  if (where.line !== undefined) prefix += `:${where.line}`;
  prefix += ": ";
  if (where.key !== undefined) prefix += `${where.key}: `;
  return prefix;
}
