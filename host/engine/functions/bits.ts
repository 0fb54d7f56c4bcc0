// bit / bit varying operators, functions and aggregates (PostgreSQL's
// varbit.c); the value helpers are in types/bit.ts.

import { T } from '../types/types.ts';
import {
  bitCount, bitNot, bitOverlay, bitPosition, bitShift, bitSubstring, bitwise, getBit, setBit,
} from '../types/bit.ts';
import { defAgg, defFn, defOp } from './registry.ts';

const B = T.bit;
const VB = T.varbit;
const I4 = T.int4;
const s = (v: unknown): string => v as string;

defOp('||', VB, VB, VB, (a, b) => s(a) + s(b));
defOp('&', B, B, B, (a, b) => bitwise('&', s(a), s(b)), { commutator: '&' });
defOp('|', B, B, B, (a, b) => bitwise('|', s(a), s(b)), { commutator: '|' });
defOp('#', B, B, B, (a, b) => bitwise('#', s(a), s(b)), { commutator: '#' });
defOp('~', null, B, B, (_l, a) => bitNot(s(a)));
defOp('<<', B, I4, B, (a, n) => bitShift(s(a), n as number, true));
defOp('>>', B, I4, B, (a, n) => bitShift(s(a), n as number, false));

defFn('length', [B], I4, ([a]) => s(a).length);
defFn('bit_length', [B], I4, ([a]) => s(a).length);
defFn('octet_length', [B], I4, ([a]) => Math.ceil(s(a).length / 8));
defFn('bit_count', [B], T.int8, ([a]) => bitCount(s(a)));
defFn('get_bit', [B, I4], I4, ([a, n]) => getBit(s(a), n as number));
defFn('set_bit', [B, I4, I4], B, ([a, n, v]) => setBit(s(a), n as number, v as number));
defFn('substring', [B, I4], B, ([a, st]) => bitSubstring(s(a), st as number));
defFn('substring', [B, I4, I4], B, ([a, st, n]) => bitSubstring(s(a), st as number, n as number));
defFn('overlay', [B, B, I4], B, ([a, r, st]) => bitOverlay(s(a), s(r), st as number));
defFn('overlay', [B, B, I4, I4], B, ([a, r, st, n]) => bitOverlay(s(a), s(r), st as number, n as number));
defFn('position', [B, B], I4, ([a, sub]) => bitPosition(s(a), s(sub)));

for (const [name, op] of [['bit_and', '&'], ['bit_or', '|'], ['bit_xor', '#']] as const) {
  defAgg({
    name, args: [B], ret: B, strict: true,
    init: () => ({ v: null as string | null }),
    step: (st, [v]) => {
      const acc = st as { v: string | null };
      acc.v = acc.v === null ? s(v) : bitwise(op, acc.v, s(v));
      return acc;
    },
    final: (st) => (st as { v: string | null }).v,
  });
}
