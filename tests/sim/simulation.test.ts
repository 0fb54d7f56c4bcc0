// Deterministic simulation (see sim_workload.ts). SIM_SEEDS sets how many
// seeds run (default 2000); SIM_SEED replays one seed.
import { describe, expect, it } from 'vitest';
import { simulate } from './sim_workload.ts';

const one = process.env.SIM_SEED !== undefined ? Number(process.env.SIM_SEED) : undefined;
const seeds = Number(process.env.SIM_SEEDS ?? 2000);
const base = Number(process.env.SIM_BASE ?? 1);

describe('deterministic simulation', () => {
  it(one !== undefined ? `replays seed ${one}` : `runs ${seeds} seeds with crashes, torn writes, lost fsyncs and I/O errors`, async () => {
    const list = one !== undefined ? [one] : Array.from({ length: seeds }, (_, i) => base + i);
    let commits = 0;
    let crashes = 0;
    for (const seed of list) {
      const r = await simulate(seed, { steps: 150, keys: 12 });
      commits += r.commits;
      crashes += r.crashes;
    }
    // The workload really exercised commits and recoveries.
    expect(commits).toBeGreaterThan(list.length);
    expect(crashes).toBeGreaterThan(list.length);
  }, 600_000);
});
