// zkCli 3.8's quota commands (SetQuotaCommand, ListQuotaCommand, DelQuotaCommand): the same
// znodes under /zookeeper/quota, the same checks in the same order, the same texts on the same
// streams. Quotas are znodes a client writes; the server only keeps zookeeper_stats current.

import { ErrorCode, StatsTrack, type ZooKeeperClient, ZooKeeperError } from "@paddock/client";
import { CliError } from "./cli-error.js";
import type { CliOutput } from "./output.js";

const QUOTA_ROOT = "/zookeeper/quota";
const LIMIT_NODE = "zookeeper_limits";
const STAT_NODE = "zookeeper_stats";

const limitPath = (path: string) => `${QUOTA_ROOT}${path}/${LIMIT_NODE}`;
const statPath = (path: string) => `${QUOTA_ROOT}${path}/${STAT_NODE}`;

/** Integer.parseInt / Long.parseLong: optional sign, decimal digits, in range. */
function parseJava(text: string, bits: 32 | 64): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const v = BigInt(text);
  const max = (1n << BigInt(bits - 1)) - 1n;
  return v < -max - 1n || v > max ? undefined : Number(v);
}

/** Java's String.split("/"): trailing empty strings dropped. */
function javaSplit(path: string): string[] {
  const parts = path.split("/");
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}

async function childrenOrNull(zk: ZooKeeperClient, path: string): Promise<string[] | null> {
  try {
    return await zk.getChildren(path);
  } catch (e) {
    if (e instanceof ZooKeeperError && e.code === ErrorCode.NoNode) return null;
    throw e;
  }
}

async function createIgnoringExists(zk: ZooKeeperClient, path: string, data: string | null): Promise<void> {
  try {
    await zk.create(path, data);
  } catch (e) {
    if (!(e instanceof ZooKeeperError && e.code === ErrorCode.NodeExists)) throw e;
  }
}

async function readTrack(zk: ZooKeeperClient, path: string): Promise<StatsTrack> {
  const { data } = await zk.getData(path);
  return StatsTrack.parse(data?.toString("utf8") ?? "");
}

/** The option group n|b|N|B: exactly one may be given (commons-cli's OptionGroup). */
export function quotaOption(flags: readonly string[], required: boolean): string | undefined {
  if (flags.length > 1) {
    throw new CliError(
      `org.apache.commons.cli.AlreadySelectedException: The option '${flags[1]}' was specified but an option from this group has already been selected: '${flags[0]}'`,
    );
  }
  if (flags.length === 0 && required) {
    throw new CliError(
      "org.apache.commons.cli.MissingOptionException: Missing required option: [-n num soft quota, -b bytes soft quota, -N num hard quota, -B bytes hard quota]",
    );
  }
  return flags[0];
}

/** `setquota -n|-b|-N|-B val path`; returns the exit code. */
export async function setQuota(
  zk: ZooKeeperClient,
  out: CliOutput,
  path: string,
  option: string,
  valueText: string,
): Promise<number> {
  if (path.startsWith(QUOTA_ROOT)) {
    out.err(`cannot set a quota under the path: ${QUOTA_ROOT}\n`);
    return 0;
  }
  const quota = new StatsTrack();
  quota.count = -1;
  quota.bytes = -1;
  quota.values.set("countHardLimit", -1);
  quota.values.set("byteHardLimit", -1);
  const isCount = option === "n" || option === "N";
  const value = parseJava(valueText, isCount ? 32 : 64);
  if (value === undefined) {
    out.err("NumberFormatException happens when parsing the option value\n");
    return 0;
  }
  if (isCount ? value <= 0 : value < 0) {
    out.err(
      isCount
        ? "the num quota must be greater than zero\n"
        : "the bytes quota must be greater than or equal to zero\n",
    );
    return 0;
  }
  const key = { n: "count", b: "bytes", N: "countHardLimit", B: "byteHardLimit" }[option]!;
  quota.values.set(key, value);
  await createQuota(zk, out, path, quota);
  return 0;
}

async function createQuota(
  zk: ZooKeeperClient,
  out: CliOutput,
  path: string,
  quota: StatsTrack,
): Promise<void> {
  if ((await zk.exists(path)) === null) throw new CliError(`${path} does not exist.`);
  await checkIfChildQuota(zk, path);
  await checkIfParentQuota(zk, path);
  if ((await zk.exists(QUOTA_ROOT)) === null) {
    // zkCli creates both in one try: /zookeeper always exists, so this creates nothing.
    try {
      await zk.create("/zookeeper", null);
      await zk.create(QUOTA_ROOT, null);
    } catch (e) {
      if (!(e instanceof ZooKeeperError && e.code === ErrorCode.NodeExists)) throw e;
    }
  }
  let quotaPath = QUOTA_ROOT;
  for (const part of javaSplit(path).slice(1)) {
    quotaPath = `${quotaPath}/${part}`;
    if ((await zk.exists(quotaPath)) === null) await createIgnoringExists(zk, quotaPath, null);
  }
  const limits = `${quotaPath}/${LIMIT_NODE}`;
  const stats = `${quotaPath}/${STAT_NODE}`;
  if ((await zk.exists(limits)) === null) {
    await zk.create(limits, quota.toString());
    const fresh = new StatsTrack();
    fresh.count = 0;
    fresh.bytes = 0;
    await zk.create(stats, fresh.toString());
    warnIfExceeded(out, await readTrack(zk, limits), await readTrack(zk, stats));
    return;
  }
  const current = await readTrack(zk, limits);
  for (const key of ["count", "bytes", "countHardLimit", "byteHardLimit"]) {
    const v = quota.values.get(key) ?? -1;
    if (v > -1) current.values.set(key, v);
  }
  warnIfExceeded(out, current, await readTrack(zk, stats));
  await zk.setData(limits, current.toString());
}

function limit(track: StatsTrack, key: string): number {
  return track.values.get(key) ?? -1;
}

function warnIfExceeded(out: CliOutput, quota: StatsTrack, stats: StatsTrack): void {
  const over = (soft: string, hard: string, used: number) =>
    (limit(quota, soft) > -1 && limit(quota, soft) < used) ||
    (limit(quota, hard) > -1 && limit(quota, hard) < used);
  if (over("count", "countHardLimit", stats.count)) {
    out.out(`[Warning]: the count quota you create is less than the existing count:${stats.count}\n`);
  }
  if (over("bytes", "byteHardLimit", stats.bytes)) {
    out.out(`[Warning]: the bytes quota you create is less than the existing bytes:${stats.bytes}\n`);
  }
}

/** A quota below `path` makes one on `path` impossible (ZKUtil.visitSubTreeDFS over the quota tree). */
async function checkIfChildQuota(zk: ZooKeeperClient, path: string): Promise<void> {
  const realPath = `${QUOTA_ROOT}${path}`;
  try {
    await zk.getData(realPath);
  } catch (e) {
    if (e instanceof ZooKeeperError && e.code === ErrorCode.NoNode) return;
    throw e;
  }
  const visit = async (quotaPath: string): Promise<void> => {
    const children = await childrenOrNull(zk, quotaPath);
    if (children === null || children.length === 0) return;
    if (quotaPath !== realPath && children.includes(LIMIT_NODE)) {
      throw new CliError(`${path} has a child ${quotaPath.slice(QUOTA_ROOT.length)} which has a quota`);
    }
  };
  await visit(realPath);
  const helper = async (dir: string): Promise<void> => {
    const children = await childrenOrNull(zk, dir);
    if (children === null) return;
    const paths = children.sort().map((c) => (dir === "/" ? `/${c}` : `${dir}/${c}`));
    for (const p of paths) await visit(p);
    for (const p of paths) await helper(p);
  };
  await helper(realPath);
}

async function checkIfParentQuota(zk: ZooKeeperClient, path: string): Promise<void> {
  const parts = javaSplit(path);
  let quotaPath = QUOTA_ROOT;
  for (let i = 1; i < parts.length - 1; i++) {
    quotaPath = `${quotaPath}/${parts[i]}`;
    const children = await childrenOrNull(zk, quotaPath);
    if (children === null || children.length === 0) return;
    if (quotaPath !== `${QUOTA_ROOT}${path}` && children.includes(LIMIT_NODE)) {
      throw new CliError(`${path} has a parent ${quotaPath.slice(QUOTA_ROOT.length)} which has a quota`);
    }
  }
}

/** `listquota path`. */
export async function listQuota(zk: ZooKeeperClient, out: CliOutput, path: string): Promise<number> {
  out.err(`absolute path is ${limitPath(path)}\n`);
  try {
    const limits = await readTrack(zk, limitPath(path));
    out.out(`Output quota for ${path} ${limits.toString()}\n`);
    const stats = await readTrack(zk, statPath(path));
    out.out(`Output stat for ${path} ${stats.toString()}\n`);
  } catch (e) {
    if (!(e instanceof ZooKeeperError && e.code === ErrorCode.NoNode)) throw e;
    out.err(`quota for ${path} does not exist.\n`);
  }
  return 0;
}

/** `delquota [-n|-b|-N|-B] path`: one limit back to -1, or the whole quota. */
export async function delQuota(
  zk: ZooKeeperClient,
  out: CliOutput,
  path: string,
  option: string | undefined,
): Promise<number> {
  try {
    const limits = limitPath(path);
    if ((await zk.exists(limits)) === null) {
      out.out(`Quota does not exist for ${path}\n`);
      return 0;
    }
    const track = await readTrack(zk, limits);
    if (option === undefined) {
      const parent = `${QUOTA_ROOT}${path}`;
      for (const child of await zk.getChildren(parent)) await zk.delete(`${parent}/${child}`);
      // Trim the quota tree up to the first ancestor that still holds something.
      let dir = parent;
      while (dir !== QUOTA_ROOT && (await zk.getChildren(dir)).length === 0) {
        await zk.delete(dir);
        dir = dir.slice(0, dir.lastIndexOf("/"));
      }
      return 0;
    }
    const key = { n: "count", b: "bytes", N: "countHardLimit", B: "byteHardLimit" }[option]!;
    track.values.set(key, -1);
    await zk.setData(limits, track.toString());
  } catch (e) {
    if (!(e instanceof ZooKeeperError && e.code === ErrorCode.NoNode)) throw e;
    out.err(`quota for ${path} does not exist.\n`);
  }
  return 0;
}
