import { expect } from "vitest";
import { ConfigError } from "../../src/config/index.js";

/** Runs fn, expects a ConfigError, and checks the given fields of it. */
export function expectConfigError(
  fn: () => unknown,
  expected: { file?: string; line?: number | undefined; key?: string | undefined; detail?: string | RegExp },
): ConfigError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  const error = caught as ConfigError;
  if ("file" in expected) expect(error.file).toBe(expected.file);
  if ("line" in expected) expect(error.line).toBe(expected.line);
  if ("key" in expected) expect(error.key).toBe(expected.key);
  if (typeof expected.detail === "string") expect(error.detail).toBe(expected.detail);
  else if (expected.detail !== undefined) expect(error.detail).toMatch(expected.detail);
  return error;
}
