// Busy polling (host/server/busy_poll.ts): after a client's message the
// server's event loop keeps turning for --busy-poll-us before it sleeps, so
// the next message of a chatty client finds the thread awake. These check
// the setting's sources and bounds, that a real client's query starts the
// window, that an idle server stops turning once the window has passed (no
// core left spinning), and that 0 turns it off.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { loadConfig } from '../../host/server/config.ts';
import { BUSY_POLL_US_DEFAULT, BusyPoll } from '../../host/server/busy_poll.ts';
import { startTestServer, type TestServer, until } from '../wire/pg/server_helper.ts';

const load = (argv: string[], env: Record<string, string> = {}, yaml?: string) =>
  loadConfig(argv, (n) => env[n], (p) => (p === 'scratchbird.yaml' ? yaml : undefined));

describe('--busy-poll-us', () => {
  it('has a default and is set by flag, environment or YAML (flag wins); bad values are refused', () => {
    expect(load([]).busyPollUs).toBe(BUSY_POLL_US_DEFAULT);
    expect(load(['--busy-poll-us', '0']).busyPollUs).toBe(0);
    expect(load([], { SCRATCHBIRD_BUSY_POLL_US: '250' }).busyPollUs).toBe(250);
    expect(load([], {}, 'busy_poll_us: 40\n').busyPollUs).toBe(40);
    expect(load(['--busy-poll-us=70'], { SCRATCHBIRD_BUSY_POLL_US: '250' }, 'busy_poll_us: 40\n').busyPollUs).toBe(70);
    expect(() => load(['--busy-poll-us', '-5'])).toThrow(/busy_poll_us.*≥ 0/);
    expect(() => load(['--busy-poll-us', 'soon'])).toThrow(/busy_poll_us/);
    expect(() => load(['--busy-poll-us', '50000'])).toThrow(/more than 10000/);
  });
});

describe('BusyPoll', () => {
  it('turns the loop after a touch, then stops by itself when nothing more arrives', async () => {
    const b = new BusyPoll(3_000);
    b.touch();
    expect(b.active).toBe(true);
    // Timers still run while it turns: the loop is polled, not blocked.
    await new Promise((r) => setTimeout(r, 1));
    expect(b.turns).toBeGreaterThan(0);
    await until(() => !b.active, 5_000, 'the window to close');
    const turns = b.turns;
    await new Promise((r) => setTimeout(r, 20));
    expect(b.turns).toBe(turns);
  });

  it('runs atTurnEnd callbacks in the current turn, on its own immediate while it turns, and on a new one otherwise', async () => {
    const b = new BusyPoll(3_000);
    const order: string[] = [];
    // Not turning: an immediate of its own, like setImmediate.
    b.atTurnEnd(() => order.push('alone'));
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['alone']);
    b.touch();
    // Turning: in the next check phase, ahead of immediates queued after it, each once.
    b.atTurnEnd(() => order.push('first'));
    b.atTurnEnd(() => {
      order.push('second');
      // Queued from inside a turn: the next turn's, not lost.
      b.atTurnEnd(() => order.push('next turn'));
    });
    setImmediate(() => order.push('later immediate'));
    await new Promise((r) => setTimeout(r, 5));
    expect(order).toEqual(['alone', 'first', 'second', 'later immediate', 'next turn']);
    await until(() => !b.active, 5_000, 'the window to close');
  });

  it('keeps turning when an atTurnEnd callback throws', async () => {
    const b = new BusyPoll(3_000);
    const seen: unknown[] = [];
    const onUncaught = (e: unknown): void => {
      seen.push(e);
    };
    process.prependListener('uncaughtException', onUncaught);
    try {
      b.touch();
      let after = false;
      b.atTurnEnd(() => {
        throw new Error('hook failed');
      });
      b.atTurnEnd(() => (after = true));
      await until(() => after && seen.length === 1, 5_000, 'the second callback and the error');
      expect((seen[0] as Error).message).toBe('hook failed');
      const turns = b.turns;
      b.touch();
      await until(() => b.turns > turns + 1, 5_000, 'more turns');
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    await until(() => !b.active, 5_000, 'the window to close');
  });

  it('does nothing with a window of 0', async () => {
    const b = new BusyPoll(0);
    b.touch();
    expect(b.active).toBe(false);
    await new Promise((r) => setTimeout(r, 5));
    expect(b.turns).toBe(0);
  });
});

describe('a server with busy polling', () => {
  let srv: TestServer;
  let off: TestServer;
  beforeAll(async () => {
    srv = await startTestServer((c) => {
      c.busyPollUs = 20_000; // long enough to be seen from a test, whatever the machine's load
      c.pg.hba = [{ database: 'all', user: 'all', address: 'all', method: 'trust' }];
    });
    off = await startTestServer((c) => {
      c.busyPollUs = 0;
      c.pg.hba = [{ database: 'all', user: 'all', address: 'all', method: 'trust' }];
    });
  });
  afterAll(async () => {
    await srv.stop();
    await off.stop();
  });

  const client = async (port: number): Promise<pg.Client> => {
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'sysdba', database: 'scratchbird' });
    await c.connect();
    return c;
  };

  it("keeps the loop turning after a client's query, answers it, and goes quiet when the client does", async () => {
    const c = await client(srv.port);
    try {
      await until(() => !srv.server.busyPoll.active, 10_000, 'the startup window to close');
      const before = srv.server.busyPoll.turns;
      const r = await c.query('SELECT $1::int + 1 AS n', [41]);
      expect(r.rows).toEqual([{ n: 42 }]);
      expect(srv.server.busyPoll.active).toBe(true);
      await until(() => !srv.server.busyPoll.active, 10_000, 'the window to close');
      expect(srv.server.busyPoll.turns).toBeGreaterThan(before);
      const quiet = srv.server.busyPoll.turns;
      await new Promise((r) => setTimeout(r, 50));
      expect(srv.server.busyPoll.turns).toBe(quiet);
    } finally {
      await c.end();
    }
  });

  it('with --busy-poll-us 0 never turns the loop itself', async () => {
    const c = await client(off.port);
    try {
      for (let i = 0; i < 20; i++) expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      expect(off.server.busyPoll.turns).toBe(0);
      expect(off.server.busyPoll.active).toBe(false);
    } finally {
      await c.end();
    }
  });
});
