// Path rules of the client protocol (reference §12). Paths are compared and measured in UTF-16
// code units, like Java strings, so lengths match ZooKeeper's accounting.

/**
 * Returns why `path` is not a valid znode path, or undefined when it is. With `isSequential` a
 * trailing `/` is allowed, because the server appends the sequence number before storing it.
 */
export function validatePath(path: string, isSequential = false): string | undefined {
  // A sequential path gets its suffix later; checking it with a stand-in digit gives the same
  // verdict as checking the final name.
  const p = isSequential ? `${path}1` : path;
  if (p.length === 0) return "path length must be > 0";
  if (p.charCodeAt(0) !== 0x2f) return "path must start with / character";
  if (p.length === 1) return undefined;
  if (p.charCodeAt(p.length - 1) === 0x2f) return "path must not end with / character";
  let segmentStart = 1;
  for (let i = 1; i <= p.length; i++) {
    const c = i < p.length ? p.charCodeAt(i) : 0x2f;
    if (c === 0x2f) {
      const segment = p.slice(segmentStart, i);
      if (segment.length === 0) return `empty node name specified @${i}`;
      if (segment === "." || segment === "..") return `relative paths not allowed @${i}`;
      segmentStart = i + 1;
      continue;
    }
    if (c === 0) return `null character not allowed @${i}`;
    if (
      (c > 0x0000 && c <= 0x001f) ||
      (c >= 0x007f && c <= 0x009f) ||
      (c >= 0xd800 && c <= 0xf8ff) ||
      (c >= 0xfff0 && c <= 0xffff)
    ) {
      return `invalid character @${i}`;
    }
  }
  return undefined;
}

export function isValidPath(path: string, isSequential = false): boolean {
  return validatePath(path, isSequential) === undefined;
}

/**
 * The parent of `path` as ZooKeeper computes it for create/delete: everything before the last
 * `/`, where "" (the parent of "/a" and of "/") stands for the root. Undefined when the path has
 * no `/` at all.
 */
export function parentOf(path: string): string | undefined {
  const lastSlash = path.lastIndexOf("/");
  if (lastSlash < 0) return undefined;
  return lastSlash === 0 ? "/" : path.slice(0, lastSlash);
}

/** The last segment of a path ("" for "/"). */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

export function joinPath(parent: string, name: string): string {
  return parent === "/" ? `/${name}` : `${parent}/${name}`;
}

export const ROOT_PATH = "/";
export const ZOOKEEPER_PATH = "/zookeeper";
export const QUOTA_PATH = "/zookeeper/quota";
export const CONFIG_PATH = "/zookeeper/config";

const SPECIAL_PATHS: ReadonlySet<string> = new Set([ROOT_PATH, ZOOKEEPER_PATH, QUOTA_PATH, CONFIG_PATH]);

/** Nodes the server owns; deleting them is BadArguments. */
export function isSpecialPath(path: string): boolean {
  return SPECIAL_PATHS.has(path);
}

/**
 * The sequential suffix for a parent whose stored child-creation counter is `counter`: Java's
 * `%010d`, where the width includes the minus sign of a wrapped (negative) counter.
 */
export function formatSequence(counter: number): string {
  if (counter < 0) return `-${String(-counter).padStart(9, "0")}`;
  return String(counter).padStart(10, "0");
}
