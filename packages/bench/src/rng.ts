/**
 * A small seeded PRNG (xorshift32) so a run's key choices are reproducible from `--seed` and
 * cost no allocation per draw.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    // Mix the seed so nearby seeds (client 0, 1, 2 ...) do not start on correlated sequences,
    // and never let the state be 0, which xorshift cannot leave.
    let s = Math.imul(seed ^ 0x9e37_79b9, 0x85eb_ca6b);
    s = Math.imul(s ^ (s >>> 13), 0xc2b2_ae35);
    s ^= s >>> 16;
    this.state = s === 0 ? 0x1234_5678 : s;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x;
    return x >>> 0;
  }

  /** A uniform float in [0, 1). */
  nextFloat(): number {
    return this.nextUint32() / 0x1_0000_0000;
  }

  /** A uniform integer in [0, n). */
  nextInt(n: number): number {
    return Math.floor(this.nextFloat() * n);
  }
}
