// A small seeded PRNG (sfc32, seeded through splitmix32) for deterministic
// simulation: every random decision of the memory platform comes from one
// stream, so a failing run replays exactly from its seed. Not for secrets.

export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: number) {
    let s = seed >>> 0;
    // splitmix32 spreads a small or zero seed over all four state words.
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.nextU32(); // discard the warm-up outputs
  }

  nextU32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform float in [0, 1). */
  nextFloat(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.nextFloat() * n);
  }

  /** true with probability p. */
  chance(p: number): boolean {
    return this.nextFloat() < p;
  }

  fill(buf: Uint8Array): void {
    let i = 0;
    for (; i + 4 <= buf.length; i += 4) {
      const x = this.nextU32();
      buf[i] = x & 0xff;
      buf[i + 1] = (x >>> 8) & 0xff;
      buf[i + 2] = (x >>> 16) & 0xff;
      buf[i + 3] = x >>> 24;
    }
    if (i < buf.length) {
      let x = this.nextU32();
      for (; i < buf.length; i++, x >>>= 8) buf[i] = x & 0xff;
    }
  }
}
