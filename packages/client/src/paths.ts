import { InvalidPathError } from "./errors.js";

/**
 * Client-side path check, the rules of §12: absolute, no trailing slash (except "/"), no empty,
 * "." or ".." segments, no control, surrogate, private-use or U+FFF0..U+FFFF characters.
 * `sequential` allows a trailing "/" because the server appends the suffix first.
 */
export function validatePath(path: string, sequential = false): void {
  if (path.length === 0) throw new InvalidPathError(path, "Path length must be > 0");
  if (path[0] !== "/") throw new InvalidPathError(path, "Path must start with / character");
  if (path.length === 1) return;
  if (!sequential && path.endsWith("/")) {
    throw new InvalidPathError(path, "Path must not end with / character");
  }
  const checked = sequential && path.endsWith("/") ? `${path}0` : path;
  const segments = checked.slice(1).split("/");
  for (const segment of segments) {
    if (segment === "") throw new InvalidPathError(path, `empty node name specified in ${path}`);
    if (segment === "." || segment === "..") {
      throw new InvalidPathError(path, `relative paths not allowed in ${path}`);
    }
  }
  for (let i = 0; i < checked.length; i++) {
    const c = checked.charCodeAt(i);
    if (
      c === 0 ||
      (c > 0 && c < 0x20) ||
      (c >= 0x7f && c <= 0x9f) ||
      (c >= 0xd800 && c <= 0xf8ff) ||
      c >= 0xfff0
    ) {
      throw new InvalidPathError(path, `invalid character @${i} in ${path}`);
    }
  }
}

/** Server path for a client path under `chroot` ("" when there is none). */
export function prependChroot(chroot: string, path: string): string {
  if (chroot === "") return path;
  return path === "/" ? chroot : chroot + path;
}

/** Client path for a server path; paths outside the chroot are returned unchanged. */
export function stripChroot(chroot: string, serverPath: string): string {
  if (chroot === "") return serverPath;
  if (serverPath === chroot) return "/";
  if (serverPath.startsWith(`${chroot}/`)) return serverPath.slice(chroot.length);
  return serverPath;
}

export function parentPath(path: string): string {
  const at = path.lastIndexOf("/");
  return at <= 0 ? "/" : path.slice(0, at);
}
