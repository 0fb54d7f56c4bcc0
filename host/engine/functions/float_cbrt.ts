// Cube root as PostgreSQL on Linux computes it: cbrt() calls the C library,
// and glibc's result is not always the correctly rounded one V8's Math.cbrt
// returns (cbrt(27) is 3.0000000000000004 there, 3 here). PostgreSQL prints
// shortest round-trip digits, so the difference is visible; this follows the
// glibc method: split |x| into m * 2^e (m in [0.5, 1)), a degree-6 polynomial
// estimate of cbrt(m), one Halley step u * (u^3 + 2m) / (2u^3 + m), the
// factor 2^((e mod 3) / 3), then the exponent e / 3 (truncating division).

// Polynomial estimate of cbrt(m) on [0.5, 1), highest degree first.
const POLY = [
  -0.145263899385486377, 0.784932344976639262, -1.83469277483613086, 2.44693122563534430, -2.11499494167371287,
  1.50819193781584896, 0.354895765043919860,
];
const CBRT2 = 1.2599210498948731648; // 2^(1/3)
const SQR_CBRT2 = 1.5874010519681994748; // 2^(2/3)
// Indexed by (e mod 3) + 2, e mod 3 taking C's sign (-2..2).
const FACTOR = [1.0 / SQR_CBRT2, 1.0 / CBRT2, 1.0, CBRT2, SQR_CBRT2];

const view = new DataView(new ArrayBuffer(8));

/** frexp: |x| = m * 2^e with m in [0.5, 1), for finite nonzero x. */
function frexp(x: number): [number, number] {
  let scale = 0;
  if (x < 2.2250738585072014e-308) {
    // Subnormal: bring it into the normal range first.
    x *= 2 ** 64;
    scale = -64;
  }
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const exp = (hi >>> 20) & 0x7ff;
  view.setUint32(0, (hi & 0x800fffff) | (1022 << 20));
  return [view.getFloat64(0), exp - 1022 + scale];
}

/** 2^n * y for the exponents cbrt produces (|n| <= 358, y in (0.4, 1.6)). */
function ldexp(y: number, n: number): number {
  // Two steps keep each power of two a normal double.
  const a = Math.trunc(n / 2);
  return y * 2 ** a * 2 ** (n - a);
}

export function cbrtGlibc(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return x + x;
  const [m, e] = frexp(Math.abs(x));
  let u = POLY[0]!;
  for (let i = 1; i < POLY.length; i++) u = u * m + POLY[i]!;
  const t2 = u * u * u;
  const ym = ((u * (t2 + 2.0 * m)) / (2.0 * t2 + m)) * FACTOR[2 + (e % 3)]!;
  return ldexp(x > 0 ? ym : -ym, Math.trunc(e / 3));
}
