// Crash test: a child process runs concurrent transfers against a real folder
// and reports each acknowledged commit; we SIGKILL it at random moments, then
// reopen the folder and check that every acknowledged commit is there, that no
// partial transaction is visible, and that money is conserved.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../host/engine/store/index.ts';
import { nodePlatform } from '../../host/platform/node.ts';
import { tempDir } from '../storage/helpers.ts';

const ACCOUNTS = 50;
const KILLS = Number(process.env.CRASH_KILLS ?? 20);
const child = join(__dirname, 'transfer_child.ts');
const dec = new TextDecoder();

function runAndKill(dir: string, seed: number, acked: Set<string>): Promise<{ acks: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, dir, String(ACCOUNTS), String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let acks = 0;
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    p.stderr.on('data', (d) => (stderr += d));
    createInterface({ input: p.stdout }).on('line', (line) => {
      if (line === 'READY') {
        // Let some transfers commit, then pull the plug at a random moment.
        timer = setTimeout(() => p.kill('SIGKILL'), 150 + ((seed * 7919) % 900));
      } else if (line.startsWith('ACK ')) {
        acked.add(line.slice(4));
        acks++;
      }
    });
    p.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve({ acks });
      else reject(new Error(`child exited with ${code} ${signal}: ${stderr}`));
    });
  });
}

async function verify(dir: string, acked: Set<string>): Promise<number> {
  const store = await Store.open(dir, { platform: nodePlatform(), background: false });
  try {
    const balances = await store.keyspace('balances');
    const transfers = await store.keyspace('transfers');
    const t = store.begin();
    const stored: number[] = [];
    for (const [, v] of t.scan(balances)) stored.push(Number(dec.decode(v)));
    const expected = new Array<number>(ACCOUNTS).fill(1000);
    const present = new Set<string>();
    for (const [k, v] of t.scan(transfers)) {
      present.add(dec.decode(k));
      const [from, to, amount] = dec.decode(v).split(',').map(Number) as [number, number, number];
      expected[from]! -= amount;
      expected[to]! += amount;
    }
    t.rollback();
    expect(stored.length).toBe(ACCOUNTS);
    // Money is conserved.
    expect(stored.reduce((a, b) => a + b, 0)).toBe(ACCOUNTS * 1000);
    // Balances are exactly what the transfers present explain: nothing partial.
    expect(stored).toEqual(expected);
    // Every acknowledged transfer survived.
    const lost = [...acked].filter((id) => !present.has(id));
    expect(lost).toEqual([]);
    return present.size;
  } finally {
    await store.close();
  }
}

describe('crash test', () => {
  it(`keeps every acknowledged commit across ${KILLS} SIGKILLs`, async () => {
    const { dir, cleanup } = tempDir('sb-crash-');
    try {
      const acked = new Set<string>();
      let totalAcks = 0;
      for (let i = 1; i <= KILLS; i++) {
        totalAcks += (await runAndKill(dir, i, acked)).acks;
        await verify(dir, acked);
      }
      // The test only means something if transfers really committed.
      expect(totalAcks).toBeGreaterThan(KILLS * 10);
    } finally {
      cleanup();
    }
  }, 600_000);
});
