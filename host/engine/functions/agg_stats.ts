// Statistical aggregates: stddev/variance (numeric-exact for integer and
// numeric inputs, Youngs-Cramer float8 accumulation otherwise, as
// PostgreSQL), corr/covar/regr_* over float8 pairs, and the ordered-set
// aggregates percentile_cont, percentile_disc and mode.

import { SbError, SqlState } from '../sb_error.ts';
import { Interval } from '../types/interval.ts';
import { Numeric, pow10, roundDiv } from '../types/numeric.ts';
import { isqrt } from '../types/numeric_math.ts';
import { arrayOf, T, type SqlType } from '../types/types.ts';
import { floatOverflow } from './errors.ts';
import { big, type Int8 } from './int_math.ts';
import { defAgg, defOrderedSetAgg } from './registry.ts';
import { compareValues } from '../types/compare.ts';
import { SqlArray } from '../types/array.ts';

// ---- numeric variance -------------------------------------------------------------

interface NumVar {
  n: bigint;
  sumX: Numeric;
  sumX2: Numeric;
}

function toNumeric(v: unknown): Numeric {
  return v instanceof Numeric ? v : Numeric.fromInt(big(v as Int8));
}

/** sqrt rounded half away from zero to rscale digits (sqrt_var at an explicit scale). */
function sqrtAt(x: Numeric, rscale: number): Numeric {
  const exp = 2 * (rscale + 1) - x.scale;
  const n = exp >= 0 ? x.coef * pow10(exp) : x.coef / pow10(-exp);
  return Numeric.raw(roundDiv(isqrt(n), 10n), rscale);
}

function numericVariance(s: NumVar, sample: boolean, stddev: boolean): Numeric | null {
  if (s.n <= (sample ? 1n : 0n)) return null;
  if (s.sumX.isNaN() || s.sumX2.isNaN() || s.sumX.isInfinite() || s.sumX2.isInfinite()) return Numeric.NaN;
  const n = Numeric.fromInt(s.n);
  const rscale = s.sumX.scale * 2;
  const sumSq = s.sumX.mul(s.sumX).withScale(Math.max(rscale, 0));
  const numerator = n.mul(s.sumX2).withScale(Math.max(rscale, 0)).sub(sumSq);
  if (numerator.sign() <= 0) return Numeric.ZERO;
  const denom = sample ? n.mul(n.sub(Numeric.ONE)) : n.mul(n);
  const scale = numerator.divScale(denom);
  const variance = numerator.divRound(denom, scale);
  return stddev ? sqrtAt(variance, scale) : variance;
}

// ---- float8 variance (Youngs-Cramer) ----------------------------------------------------

interface FloatVar {
  n: number;
  sx: number;
  sxx: number;
}

function floatAccum(s: FloatVar, x: number): FloatVar {
  const oldN = s.n;
  const oldSx = s.sx;
  s.n += 1;
  s.sx += x;
  if (oldN > 0) {
    const tmp = x * s.n - s.sx;
    s.sxx += (tmp * tmp) / (s.n * oldN);
    if (!Number.isFinite(s.sx) || !Number.isFinite(s.sxx)) {
      // Finite inputs overflowing is an error; infinite or NaN inputs make the variance NaN.
      if (Number.isFinite(oldSx) && Number.isFinite(x)) throw floatOverflow();
      s.sxx = NaN;
    }
  } else if (!Number.isFinite(x)) s.sxx = NaN;
  return s;
}

function floatVariance(s: FloatVar, sample: boolean, stddev: boolean): number | null {
  if (s.n <= (sample ? 1 : 0)) return null;
  const v = s.sxx / (sample ? s.n - 1 : s.n);
  return stddev ? Math.sqrt(v) : v;
}

const VARIANTS: Array<[string, boolean, boolean]> = [
  ['variance', true, false],
  ['var_samp', true, false],
  ['var_pop', false, false],
  ['stddev', true, true],
  ['stddev_samp', true, true],
  ['stddev_pop', false, true],
];

for (const [name, sample, stddev] of VARIANTS) {
  for (const t of [T.int2, T.int4, T.int8, T.numeric]) {
    defAgg({
      name, args: [t], ret: T.numeric, strict: true,
      init: (): NumVar => ({ n: 0n, sumX: Numeric.ZERO, sumX2: Numeric.ZERO }),
      step: (s, [v]) => {
        const st = s as NumVar;
        const x = toNumeric(v);
        st.n += 1n;
        st.sumX = st.sumX.add(x);
        st.sumX2 = st.sumX2.add(x.mul(x));
        return st;
      },
      inverse: (s, [v]) => {
        const st = s as NumVar;
        const x = toNumeric(v);
        st.n -= 1n;
        st.sumX = st.sumX.sub(x);
        st.sumX2 = st.sumX2.sub(x.mul(x));
        return st;
      },
      final: (s) => numericVariance(s as NumVar, sample, stddev),
    });
  }
  for (const t of [T.float4, T.float8]) {
    defAgg({
      name, args: [t], ret: T.float8, strict: true,
      init: (): FloatVar => ({ n: 0, sx: 0, sxx: 0 }),
      step: (s, [v]) => floatAccum(s as FloatVar, v as number),
      final: (s) => floatVariance(s as FloatVar, sample, stddev),
    });
  }
}

// avg(float4/float8): float8_accum as PostgreSQL (so a sum of squares overflowing is 22003), then Sx / N.
for (const t of [T.float4, T.float8]) {
  defAgg({
    name: 'avg', args: [t], ret: T.float8, strict: true,
    init: (): FloatVar => ({ n: 0, sx: 0, sxx: 0 }),
    step: (s, [v]) => floatAccum(s as FloatVar, v as number),
    final: (s) => ((s as FloatVar).n === 0 ? null : (s as FloatVar).sx / (s as FloatVar).n),
  });
}

// ---- regression over (Y, X) -------------------------------------------------------------------

interface Regr {
  n: number;
  sx: number;
  sxx: number;
  sy: number;
  syy: number;
  sxy: number;
}

function regrAccum(s: Regr, y: number, x: number): Regr {
  const oldN = s.n;
  const oldSx = s.sx;
  const oldSy = s.sy;
  s.n += 1;
  s.sx += x;
  s.sy += y;
  if (oldN > 0) {
    const tx = x * s.n - s.sx;
    const ty = y * s.n - s.sy;
    const scale = 1 / (s.n * oldN);
    s.sxx += tx * tx * scale;
    s.syy += ty * ty * scale;
    s.sxy += tx * ty * scale;
    if (!Number.isFinite(s.sx) || !Number.isFinite(s.sxx) || !Number.isFinite(s.sy) || !Number.isFinite(s.syy) || !Number.isFinite(s.sxy)) {
      if (Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(oldSx) && Number.isFinite(oldSy)) throw floatOverflow();
      if (!Number.isFinite(s.sxx)) s.sxx = NaN;
      if (!Number.isFinite(s.syy)) s.syy = NaN;
      if (!Number.isFinite(s.sxy)) s.sxy = NaN;
    }
  } else {
    if (!Number.isFinite(x)) s.sxx = s.sxy = NaN;
    if (!Number.isFinite(y)) s.syy = s.sxy = NaN;
  }
  return s;
}

const REGR: Array<[string, SqlType, (s: Regr) => number | null]> = [
  ['regr_count', T.int8, (s) => s.n],
  ['regr_sxx', T.float8, (s) => (s.n < 1 ? null : s.sxx)],
  ['regr_syy', T.float8, (s) => (s.n < 1 ? null : s.syy)],
  ['regr_sxy', T.float8, (s) => (s.n < 1 ? null : s.sxy)],
  ['regr_avgx', T.float8, (s) => (s.n < 1 ? null : s.sx / s.n)],
  ['regr_avgy', T.float8, (s) => (s.n < 1 ? null : s.sy / s.n)],
  ['covar_pop', T.float8, (s) => (s.n < 1 ? null : s.sxy / s.n)],
  ['covar_samp', T.float8, (s) => (s.n < 2 ? null : s.sxy / (s.n - 1))],
  ['corr', T.float8, (s) => (s.n < 1 || s.sxx === 0 || s.syy === 0 ? null : s.sxy / Math.sqrt(s.sxx * s.syy))],
  ['regr_r2', T.float8, (s) => (s.n < 1 || s.sxx === 0 ? null : s.syy === 0 ? 1 : (s.sxy * s.sxy) / (s.sxx * s.syy))],
  ['regr_slope', T.float8, (s) => (s.n < 1 || s.sxx === 0 ? null : s.sxy / s.sxx)],
  ['regr_intercept', T.float8, (s) => (s.n < 1 || s.sxx === 0 ? null : (s.sy - (s.sx * s.sxy) / s.sxx) / s.n)],
];
for (const [name, ret, final] of REGR) {
  defAgg({
    name, args: [T.float8, T.float8], ret, strict: true,
    init: (): Regr => ({ n: 0, sx: 0, sxx: 0, sy: 0, syy: 0, sxy: 0 }),
    step: (s, [y, x]) => regrAccum(s as Regr, y as number, x as number),
    final: (s) => final(s as Regr),
  });
}

// ---- ordered-set aggregates ------------------------------------------------------------------------

function checkFraction(p: number): void {
  if (!(p >= 0 && p <= 1) || Number.isNaN(p)) {
    throw new SbError(SqlState.numeric_value_out_of_range, `percentile value ${p} is not between 0 and 1`);
  }
}

function percentileDisc(sorted: unknown[], p: number): unknown {
  checkFraction(p);
  if (sorted.length === 0) return null;
  // The first value whose cumulative fraction reaches p.
  const k = Math.max(Math.ceil(p * sorted.length), 1);
  return sorted[k - 1];
}

function lerp(a: unknown, b: unknown, f: number, t: SqlType): unknown {
  if (t.id === 'interval') {
    const x = a as Interval;
    const y = b as Interval;
    return f === 0 ? x : x.add(y.sub(x).mul(f));
  }
  const x = a as number;
  const y = b as number;
  return f === 0 ? x : x + f * (y - x);
}

function percentileCont(sorted: unknown[], p: number, t: SqlType): unknown {
  checkFraction(p);
  if (sorted.length === 0) return null;
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return lerp(sorted[lo], sorted[hi], pos - lo, t);
}

function multi(direct: unknown, each: (p: number) => unknown, elem: SqlType): SqlArray {
  const ps = direct as SqlArray;
  return new SqlArray(elem, ps.dims.slice(), ps.lbounds.slice(), ps.values.map((p) => (p === null ? null : each(p as number))));
}

for (const t of [T.float8, T.interval]) {
  defOrderedSetAgg({ name: 'percentile_cont', directArgs: [T.float8], orderedArgs: [t], ret: t, final: (s, [p]) => (p === null ? null : percentileCont(s, p as number, t)) });
  defOrderedSetAgg({
    name: 'percentile_cont', directArgs: [arrayOf(T.float8)], orderedArgs: [t], ret: arrayOf(t),
    final: (s, [ps]) => (ps === null ? null : s.length === 0 ? null : multi(ps, (p) => percentileCont(s, p, t), t)),
  });
}
defOrderedSetAgg({ name: 'percentile_disc', directArgs: [T.float8], orderedArgs: [T.anyelement], ret: T.anyelement, final: (s, [p]) => (p === null ? null : percentileDisc(s, p as number)) });
defOrderedSetAgg({
  name: 'percentile_disc', directArgs: [arrayOf(T.float8)], orderedArgs: [T.anyelement], ret: T.anyarray,
  final: (s, [ps], _ctx, call) => (ps === null || s.length === 0 ? null : multi(ps, (p) => percentileDisc(s, p), call.argTypes[1]!)),
});
defOrderedSetAgg({
  name: 'mode', directArgs: [], orderedArgs: [T.anyelement], ret: T.anyelement,
  final: (s, _d, _ctx, call) => {
    // The most frequent value; ties go to the first in sort order.
    let best: unknown = null;
    let bestN = 0;
    let i = 0;
    const t = call.argTypes[0]!;
    while (i < s.length) {
      let j = i + 1;
      while (j < s.length && compareValues(t, s[i], s[j]) === 0) j++;
      if (j - i > bestN) {
        bestN = j - i;
        best = s[i];
      }
      i = j;
    }
    return best;
  },
});
