// CPU affinity of the server thread (Linux): `--cpu-affinity off|auto|LIST`
// (YAML cpu_affinity, SCRATCHBIRD_CPU_AFFINITY; off by default).
//
// The engine runs on one JavaScript thread, and under load that thread is
// the server's bottleneck. Where the kernel runs it matters on a small
// machine: a core that also takes a busy device's interrupts (the disk's
// completions of every durable WAL write, one per group commit) gives the
// thread a share of its time to interrupt handlers and a cache they
// disturb. On the 2-vCPU machine of docs/benchmarks.md §4 every
// virtio-blk interrupt lands on CPU 1; pgbench TPC-B with 8 clients ran at
// 4.9-5.8k tps with the thread on CPU 0, 4.4-5.3k left to the scheduler
// (which moves it between the two) and 3.8-4.6k on CPU 1, in four
// alternating rounds.
//
//   off   the scheduler places the thread (the default: several servers,
//         or a server beside other busy programs, should not all crowd
//         onto one core)
//   auto  the allowed CPU with the fewest device interrupts so far
//         (/proc/interrupts, numbered lines only: not timer ticks or
//         inter-processor interrupts); nothing when one CPU is allowed
//   LIST  those CPUs, as taskset writes them: "0", "2,3", "0-3"
//
// The main thread (it runs the engine and the event loop) gets those CPUs;
// the process's other threads (libuv's pool, which does the WAL's writes,
// the wire writer, V8's helpers) get the remaining allowed CPUs, when there
// are any, so that none of them takes the engine's core from it. This is
// applied once the listeners are up, when those threads exist; a thread
// started later from the main thread inherits the main thread's mask.
// pgbench -S -c 8 -M prepared, six ABBA pairs in two sets: 95-103k tps
// (mean 99.4k and 96.9k) with the others kept off the engine's CPU against
// 83-103k (93.9k and 92.6k) with them free to run on it; the wire writer
// otherwise ran 11 % of its time on the engine's CPU, preempting it there
// and waking pgbench across CPUs. The pinning itself is taskset(1) from
// util-linux: `-a` on the process for the others, then the main thread's
// id alone (Node and Deno have no sched_setaffinity of their own).

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import process from 'node:process';

export type CpuAffinity = 'off' | 'auto' | { cpus: number[] };

/** Parses a CPU list ("0", "1,3", "0-2,5") into sorted distinct CPU numbers; undefined when malformed. */
export function parseCpuList(text: string): number[] | undefined {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?$/.exec(part);
    if (!m) return undefined;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo || hi - lo > 4096) return undefined;
    for (let c = lo; c <= hi; c++) out.add(c);
  }
  return out.size > 0 ? [...out].sort((a, b) => a - b) : undefined;
}

/** The setting's value ("off", "auto" or a CPU list), or undefined when it is none of them. */
export function parseCpuAffinity(v: unknown): CpuAffinity | undefined {
  const t = String(v).trim().toLowerCase();
  if (t === 'off' || t === 'auto') return t;
  const cpus = parseCpuList(t);
  return cpus ? { cpus } : undefined;
}

/**
 * Device interrupts taken by each CPU since boot, from the text of
 * /proc/interrupts: the numbered lines (devices), not the named ones
 * (LOC, RES, CAL...: timers and inter-processor interrupts).
 */
export function deviceInterruptsPerCpu(text: string): Map<number, number> {
  const lines = text.split('\n');
  const cpus = (lines[0] ?? '').trim().split(/\s+/).map((h) => /^CPU(\d+)$/.exec(h)).map((m) => (m ? Number(m[1]) : -1));
  const totals = new Map<number, number>();
  for (const c of cpus) if (c >= 0) totals.set(c, 0);
  for (const line of lines.slice(1)) {
    const m = /^\s*\d+:\s*(.*)$/.exec(line);
    if (!m) continue;
    const fields = m[1]!.trim().split(/\s+/);
    for (let i = 0; i < cpus.length && i < fields.length; i++) {
      if (!/^\d+$/.test(fields[i]!)) break;
      const c = cpus[i]!;
      if (c >= 0) totals.set(c, totals.get(c)! + Number(fields[i]));
    }
  }
  return totals;
}

/** `auto`'s choice among `allowed`: the CPU with the fewest device interrupts (the lowest number on a tie); undefined with one CPU or none. */
export function chooseAutoCpu(interrupts: Map<number, number>, allowed: readonly number[]): number | undefined {
  if (allowed.length < 2) return undefined;
  let best: number | undefined;
  for (const c of allowed) {
    const n = interrupts.get(c);
    if (n === undefined) continue;
    if (best === undefined || n < interrupts.get(best)!) best = c;
  }
  return best;
}

/** The CPUs thread `tid` of this process may run on (Linux; the main thread's id is the process id), or undefined. */
export function threadCpus(tid: number): number[] | undefined {
  try {
    const status = readFileSync(`/proc/self/task/${tid}/status`, 'utf8');
    const m = /^Cpus_allowed_list:\s*(\S+)/m.exec(status);
    return m ? parseCpuList(m[1]!) : undefined;
  } catch {
    return undefined;
  }
}

export interface AffinityResult {
  /** The main thread's CPUs afterwards (undefined: not pinned). */
  cpus?: number[];
  /** The other threads' CPUs afterwards (undefined: left as they were, when the main thread has every allowed CPU). */
  others?: number[];
  /** Why nothing was pinned, or what failed. */
  note?: string;
  /** True when a requested pinning failed (the server still runs). */
  failed?: boolean;
}

/** Pins the calling process's main thread as the setting says (see the top of this file). */
export function applyCpuAffinity(setting: CpuAffinity): AffinityResult {
  const pid = process.pid;
  if (setting === 'off') return { note: 'off' };
  if (process.platform !== 'linux') return { note: `not supported on ${process.platform}`, failed: typeof setting !== 'string' };
  const allowed = threadCpus(pid);
  if (allowed === undefined) return { note: 'cannot read the allowed CPUs from /proc', failed: true };
  let cpus: number[];
  if (setting === 'auto') {
    let text: string;
    try {
      text = readFileSync('/proc/interrupts', 'utf8');
    } catch (e) {
      return { note: `cannot read /proc/interrupts: ${(e as Error).message}`, failed: true };
    }
    const cpu = chooseAutoCpu(deviceInterruptsPerCpu(text), allowed);
    if (cpu === undefined) return { note: `one CPU allowed (${allowed.join(',')}): nothing to choose` };
    cpus = [cpu];
  } else {
    const outside = setting.cpus.filter((c) => !allowed.includes(c));
    if (outside.length > 0) return { note: `CPU ${outside.join(',')} is not among the allowed ${allowed.join(',')}`, failed: true };
    cpus = setting.cpus;
  }
  const others = allowed.filter((c) => !cpus.includes(c));
  try {
    // Every thread to the other CPUs first, then the main thread (the process id) alone to its own.
    if (others.length > 0) execFileSync('taskset', ['-a', '-p', '-c', others.join(','), String(pid)], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 5_000 });
    execFileSync('taskset', ['-p', '-c', cpus.join(','), String(pid)], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 5_000 });
  } catch (e) {
    const err = e as { code?: string; stderr?: Uint8Array; message: string };
    const why = err.code === 'ENOENT' ? 'taskset (util-linux) is not installed' : (err.stderr && new TextDecoder().decode(err.stderr).trim()) || err.message;
    return { note: `taskset failed: ${why}`, failed: true };
  }
  const now = threadCpus(pid);
  if (now === undefined || now.join(',') !== cpus.join(',')) return { note: `the thread's CPUs are ${now?.join(',') ?? 'unknown'} after taskset`, failed: true };
  return others.length > 0 ? { cpus, others } : { cpus };
}
