// EXTRACT (numeric results, PostgreSQL 14+) and date_part (float8) for
// date, time, timetz, timestamp, timestamptz and interval: registrations
// of the types module's field extraction (types/datetime_fields.ts).

import { SbError, SqlState } from '../sb_error.ts';
import { isValidTimestamp, USECS_PER_DAY } from '../types/datetime.ts';
import { datePart, extractField, type FieldSource } from '../types/datetime_fields.ts';
import { T, type SqlType } from '../types/types.ts';
import { sessionZone } from './context.ts';
import { defFn } from './registry.ts';

const KIND_TYPE: Record<FieldSource, SqlType> = {
  date: T.date,
  time: T.time,
  timetz: T.timetz,
  timestamp: T.timestamp,
  timestamptz: T.timestamptz,
  interval: T.interval,
};

for (const kind of Object.keys(KIND_TYPE) as FieldSource[]) {
  const volatility = kind === 'timestamptz' ? 's' : 'i';
  defFn('extract', [T.text, KIND_TYPE[kind]], T.numeric, ([f, v], ctx) => extractField(f as string, kind, v, sessionZone(ctx)), { volatility });
  if (kind === 'date') {
    // date_part(text, date) is date_part(text, date::timestamp) in PostgreSQL.
    defFn('date_part', [T.text, T.date], T.float8, ([f, v], ctx) => {
      const d = v as number;
      if (Number.isFinite(d) && !isValidTimestamp(d * USECS_PER_DAY)) {
        throw new SbError(SqlState.datetime_field_overflow, 'date out of range for timestamp');
      }
      return datePart(f as string, 'date', d, sessionZone(ctx));
    });
  } else {
    defFn('date_part', [T.text, KIND_TYPE[kind]], T.float8, ([f, v], ctx) => datePart(f as string, kind, v, sessionZone(ctx)), { volatility });
  }
}
