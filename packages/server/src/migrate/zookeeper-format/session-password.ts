// ZooKeeper does not store session passwords: it derives them from the session id
// (ZooKeeperServer.generatePasswd: java.util.Random seeded with id ^ 0xB3415C00, 16 bytes).
// Computing the same bytes lets a client of an imported ZooKeeper session resume it on Paddock.

const MULTIPLIER = 0x5deece66dn;
const ADDEND = 0xbn;
const MASK_48 = (1n << 48n) - 1n;
const SUPER_SECRET = 0xb3415c00n;

/** java.util.Random#nextBytes(n) for `new Random(seed)`. */
export function javaRandomBytes(seed: bigint, n: number): Buffer {
  let state = (BigInt.asUintN(64, seed) ^ MULTIPLIER) & MASK_48;
  const nextInt = (): number => {
    state = (state * MULTIPLIER + ADDEND) & MASK_48;
    return Number(BigInt.asIntN(32, state >> 16n));
  };
  const out = Buffer.alloc(n);
  let i = 0;
  while (i < n) {
    let rnd = nextInt();
    for (let k = Math.min(n - i, 4); k > 0; k--) {
      out[i++] = rnd & 0xff;
      rnd >>= 8;
    }
  }
  return out;
}

/** The password ZooKeeper hands out (and checks) for `sessionId`. */
export function zooKeeperSessionPassword(sessionId: bigint): Buffer {
  return javaRandomBytes(BigInt.asIntN(64, sessionId) ^ SUPER_SECRET, 16);
}
