// Busy polling: after a client's bytes arrive, the server thread keeps its
// event loop turning for a short window (each turn an epoll_wait with a zero
// timeout) instead of falling asleep in epoll_wait as soon as it has nothing
// to do. The next message of a chatty client (the next statement of a
// transaction, the next query of a pooled connection) then finds the thread
// awake.
//
// Why: waking a thread that sleeps costs more than the work of a short
// statement. On a virtual machine a sleeping vCPU halts, and the wake-up is
// an inter-processor interrupt through the hypervisor plus a cold cache on
// return; pgbench -S with one client measured 11.4k tps sleeping and 20-22k
// with a 25-300 µs window (docs/benchmarks.md §4). The price is CPU: the
// thread stays on its core for up to the window after the last message, so
// an idle server still sleeps, a busy one was awake anyway, and a lightly
// loaded one (a message every millisecond) spends up to window/interval of a
// core more. `--busy-poll-us 0` turns it off.
//
// The loop is setImmediate: a pending immediate makes libuv poll with a zero
// timeout, handle whatever is ready (socket reads, the WAL's completions,
// timers) and come back here.

import { setImmediate } from 'node:timers';

/** The window when not configured (µs); see the measurements above. */
export const BUSY_POLL_US_DEFAULT = 100;

export class BusyPoll {
  private readonly windowMs: number;
  /** Start of the current window: the first turn without news after the last arrival. */
  private lastMs = 0;
  /** Something arrived since the last turn: the window starts again at the next quiet turn. */
  private touched = false;
  private spinning = false;
  /** The turn's immediate is queued and has not run yet: atTurnEnd's callbacks can ride on it. */
  private armed = false;
  /** Callbacks for the queued turn (atTurnEnd). */
  private hooks: Array<() => void> = [];
  private spare: Array<() => void> = [];
  /** Turns of the event loop this has asked for (each a poll with a zero timeout). */
  turns = 0;

  constructor(windowUs: number) {
    this.windowMs = windowUs / 1000;
  }

  /** Something arrived: stay awake for another window from now (no clock read here: this runs for every read). */
  touch(): void {
    if (this.windowMs <= 0) return;
    this.touched = true;
    if (this.spinning) return;
    this.spinning = true;
    this.arm();
  }

  /** Queues the next turn; atTurnEnd's callbacks ride on it until it runs. */
  private arm(): void {
    this.armed = true;
    setImmediate(this.turn);
  }

  /**
   * Runs `f` in this event-loop turn's check phase, as setImmediate would:
   * inside the busy poll's own immediate when one is queued and has not run
   * yet, else in an immediate of its own. Each immediate of a turn costs Node
   * a pass through its async-context bookkeeping and a tick-queue run, so the
   * wire writer's wake-up and end-of-turn reset share the turn's.
   */
  atTurnEnd(f: () => void): void {
    if (this.armed) this.hooks.push(f);
    else setImmediate(f);
  }

  private runHooks(): void {
    const hooks = this.hooks;
    this.hooks = this.spare;
    for (let i = 0; i < hooks.length; i++) {
      try {
        hooks[i]!();
      } catch (e) {
        // As from an immediate of its own: uncaught, without skipping the other callbacks or the turn.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
    hooks.length = 0;
    this.spare = hooks;
  }

  /** True while the loop is kept turning (for tests). */
  get active(): boolean {
    return this.spinning;
  }

  private readonly turn = (): void => {
    this.armed = false;
    if (this.hooks.length > 0) this.runHooks();
    this.turns++;
    if (this.touched) {
      // A busy turn: keep turning, and read the clock only once the turns go quiet.
      this.touched = false;
      this.lastMs = -1;
      this.arm();
      return;
    }
    const now = performance.now();
    if (this.lastMs < 0) this.lastMs = now;
    if (now - this.lastMs < this.windowMs) this.arm();
    else this.spinning = false;
  };
}
