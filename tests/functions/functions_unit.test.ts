// What the differential test cannot compare with PostgreSQL: clock and
// random functions, settings, session information, transaction ids, the
// engine's own size limits, the OID table, and the session wiring through
// the embedded API.

import { describe, expect, it } from 'vitest';
import { defaultEvalContext } from '../../host/engine/functions/index.ts';
import { code, ctx, f8, fnCtx, fnText, fnTextCtx, i4, newCtx, NOW, txt, unk } from './helpers.ts';
import { memoryDb, text } from '../sql/helpers.ts';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('clocks', () => {
  it('now(), transaction_timestamp() and statement_timestamp() are the context clocks', () => {
    expect(fnText('now')).toBe('2024-05-06 07:08:09.123456+00');
    expect(fnText('transaction_timestamp')).toBe('2024-05-06 07:08:09.123456+00');
    expect(fnText('statement_timestamp')).toBe('2024-05-06 07:08:09.123456+00');
    expect(fnTextCtx(newCtx({ timeZone: 'Asia/Kolkata' }), 'now')).toBe('2024-05-06 12:38:09.123456+05:30');
  });

  it('clock_timestamp() follows the wall clock; timeofday() prints it in the session zone', () => {
    const live = defaultEvalContext({ timeZone: 'UTC' });
    const a = fnCtx(live, 'clock_timestamp') as number;
    const b = fnCtx(live, 'clock_timestamp') as number;
    expect(b).toBeGreaterThanOrEqual(a);
    const wallNow = (Date.now() - 946_684_800_000) * 1000;
    expect(Math.abs(a - wallNow)).toBeLessThan(60_000_000);
    expect(fnTextCtx(newCtx(), 'timeofday')).toBe('Mon May 06 07:08:09.123456 2024 +00');
  });
});

describe('random', () => {
  it('setseed() then random() gives PostgreSQL 15 sequence', () => {
    const c = newCtx();
    fnCtx(c, 'setseed', f8(0.5));
    // Values printed by PostgreSQL 15 after SELECT setseed(0.5).
    expect(fnTextCtx(c, 'random')).toBe('0.9851677175347999');
    expect(fnTextCtx(c, 'random')).toBe('0.825301858027981');
    fnCtx(c, 'setseed', f8(-1));
    expect(fnTextCtx(c, 'random')).toBe('0.725656831544149');
  });

  it('random() stays in [0, 1); setseed() rejects seeds outside [-1, 1]', () => {
    const c = newCtx();
    for (let i = 0; i < 1000; i++) {
      const r = fnCtx(c, 'random') as number;
      expect(r >= 0 && r < 1).toBe(true);
    }
    expect(code(() => fnCtx(c, 'setseed', f8(1.5)))).toBe('22023');
    expect(code(() => fnCtx(c, 'setseed', f8(Number.NaN)))).toBe('22023');
  });

  it('gen_random_uuid() makes distinct version-4 UUIDs', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const u = fnText('gen_random_uuid')!;
      expect(u).toMatch(UUID_V4);
      seen.add(u);
    }
    expect(seen.size).toBe(200);
  });
});

describe('settings', () => {
  it('set_config() and current_setting() share the session settings', () => {
    const c = newCtx();
    expect(fnTextCtx(c, 'set_config', txt('my.flag'), txt('on'), [{ id: 'bool', typmod: -1 }, false])).toBe('on');
    expect(fnTextCtx(c, 'current_setting', txt('my.flag'))).toBe('on');
    expect(fnTextCtx(c, 'current_setting', txt('MY.FLAG'))).toBe('on');
    expect(code(() => fnCtx(c, 'current_setting', txt('no.such')))).toBe('42704');
    expect(fnCtx(c, 'current_setting', txt('no.such'), [{ id: 'bool', typmod: -1 }, true])).toBe(null);
  });

  it('set_config(TimeZone) changes how later calls read and print times', () => {
    const c = newCtx();
    fnCtx(c, 'set_config', txt('TimeZone'), txt('America/New_York'), [{ id: 'bool', typmod: -1 }, false]);
    expect(fnTextCtx(c, 'current_setting', txt('timezone'))).toBe('America/New_York');
    expect(fnTextCtx(c, 'now')).toBe('2024-05-06 03:08:09.123456-04');
    expect(fnTextCtx(c, 'date_part', txt('hour'), [{ id: 'timestamptz', typmod: -1 }, NOW])).toBe('3');
  });
});

describe('transaction ids and session information', () => {
  it('txid_current() assigns; the _if_assigned forms are NULL before', () => {
    const c = newCtx();
    expect(fnCtx(c, 'txid_current_if_assigned')).toBe(null);
    expect(fnCtx(c, 'pg_current_xact_id_if_assigned')).toBe(null);
    const x = fnCtx(c, 'txid_current');
    expect(fnCtx(c, 'pg_current_xact_id')).toBe(x);
    expect(fnCtx(c, 'txid_current_if_assigned')).toBe(x);
  });

  it('version(), current_database(), current_schema(s)() and pg_backend_pid() read the session', () => {
    const c = defaultEvalContext({
      nowMicros: NOW,
      settings: { server_version: '15.4' },
      session: {
        currentUser: 'alice', sessionUser: 'alice', currentDatabase: 'shop', backendPid: 4242,
        currentSchema: () => 'sales', searchPath: () => ['sales', 'public'],
      },
    });
    expect(fnTextCtx(c, 'version')).toMatch(/^PostgreSQL 15\.4 /);
    expect(fnTextCtx(c, 'current_database')).toBe('shop');
    expect(fnTextCtx(c, 'current_schema')).toBe('sales');
    expect(fnTextCtx(c, 'current_schemas', [{ id: 'bool', typmod: -1 }, false])).toBe('{sales,public}');
    expect(fnTextCtx(c, 'current_schemas', [{ id: 'bool', typmod: -1 }, true])).toBe('{pg_catalog,sales,public}');
    expect(fnTextCtx(c, 'pg_backend_pid')).toBe('4242');
    expect(code(() => fnCtx(ctx, 'current_database'))).toBe('0A000');
  });

  it('pg_typeof() names built-in types without a catalog', () => {
    expect(fnText('pg_typeof', i4(1))).toBe('integer');
    expect(fnText('pg_typeof', unk('x'))).toBe('unknown');
  });
});

describe('size limits', () => {
  it('results past the string limit raise 54000 at once instead of allocating', () => {
    for (const [name, args] of [
      ['repeat', [txt('x'), i4(2_000_000_000)]],
      ['repeat', [txt('abc'), i4(300_000_000)]],
      ['lpad', [txt('x'), i4(2_000_000_000)]],
      ['rpad', [txt('x'), i4(1_000_000_000), txt('yz')]],
      ['format', [txt('%900000000s'), txt('a')]],
    ] as const) {
      const t0 = performance.now();
      expect(code(() => fnCtx(ctx, name, ...(args as unknown as Parameters<typeof fnCtx>[2][])))).toBe('54000');
      expect(performance.now() - t0).toBeLessThan(1000);
    }
  });

  it('long results below the limit are built', () => {
    expect((fnText('repeat', txt('ab'), i4(100_000)) ?? '').length).toBe(200_000);
    expect(fnText('lpad', txt('x'), i4(5), txt('é😀'))).toBe('é😀é😀x');
    expect(fnText('lpad', txt('x'), i4(1_000_000_000), txt(''))).toBe('x');
  });
});

describe('LIKE plans', () => {
  it('literal, prefix, suffix, infix and %-only patterns agree with the general matcher', () => {
    const cases: Array<[string, string, boolean]> = [
      ['abc', 'abc', true], ['abc', 'ab', false], ['a', 'a%a', false], ['aa', 'a%a', true], ['abcabc', '%bc%bc', true],
      ['abc', '%', true], ['', '%', true], ['', '', true], ['x', '', false], ['é😀x', '%😀%', true], ['é😀x', '_😀_', true],
      ['é😀x', '__x', true], ['ab', 'a\\b', true], ['a%b', 'a\\%b', true], ['axb', 'a\\%b', false], ['abcd', '%b%c%', true],
      ['abcd', '%c%b%', false],
    ];
    for (const [s, p, want] of cases) {
      expect([s, p, fnCtx(ctx, 'like', txt(s), txt(p))]).toEqual([s, p, want]);
      expect([s, p, fnCtx(ctx, 'like', txt(s), txt(p))]).toEqual([s, p, want]); // cached plan
    }
  });
});

describe('through the embedded engine', () => {
  it('session functions, to_char and friends run in SQL', async () => {
    const db = await memoryDb();
    try {
      const r = await db.query(
        "select current_database() is not null, version() like 'PostgreSQL %', to_char(date '2024-05-06', 'FMDay, DDth Month YYYY'), " +
          "to_number('-1,234.5', 'S9,999.9'), to_date('06 May 2024', 'DD Mon YYYY'), pg_backend_pid() > 0",
      );
      // PostgreSQL 15 prints 'Monday, 06th May       2024' and -1234.5 for these (FM applies to one field).
      expect(text(r)).toEqual([['t', 't', 'Monday, 06th May       2024', '-1234.5', '2024-05-06', 't']]);
    } finally {
      await db.close();
    }
  });
});
