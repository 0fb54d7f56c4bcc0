// Vitest setup file: fixes fast-check's seed in CI so that a property failure there is reproducible
// and cannot turn CI red by the luck of the draw. Locally every run draws a fresh seed (fast-check
// prints the seed and path of any failure), which keeps finding new counterexamples; FC_SEED=<n>
// replays a given seed anywhere.
import fc from 'fast-check';

const seed = process.env.FC_SEED ?? (process.env.CI ? '20261124' : undefined);
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });
