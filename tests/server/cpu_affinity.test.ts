// --cpu-affinity (host/server/cpu_affinity.ts): the setting's sources and
// values, CPU lists, and auto's choice from /proc/interrupts. The pinning of
// a real server process is checked in server.test.ts (it must not pin the
// test runner's own thread).

import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../host/server/config.ts';
import { chooseAutoCpu, deviceInterruptsPerCpu, parseCpuAffinity, parseCpuList } from '../../host/server/cpu_affinity.ts';

const load = (argv: string[], env: Record<string, string> = {}, yaml?: string) =>
  loadConfig(argv, (n) => env[n], (p) => (p === 'scratchbird.yaml' ? yaml : undefined));

// The shape of a 2-vCPU virtual machine's /proc/interrupts: the disk's
// requests all on CPU1, the network's split, and the named rows (timer
// ticks, rescheduling and function-call IPIs) much larger than any device.
const INTERRUPTS = `           CPU0       CPU1       
 24:          1          0  IO-APIC   5-edge      ACPI:Ged
 26:          0         16  IO-APIC   4-edge      ttyS0
 36:          0   17294696 PCI-MSIX-0000:00:02.0   1-edge      virtio1-req.0
 38:          0      25023 PCI-MSIX-0000:00:03.0   1-edge      virtio2-input.0
 39:      21588          0 PCI-MSIX-0000:00:03.0   2-edge      virtio2-output.0
NMI:          0          0   Non-maskable interrupts
LOC:   91737400    1760107   Local timer interrupts
RES:    6221207    7701544   Rescheduling interrupts
CAL:   21144035   17369339   Function call interrupts
ERR:          0
MIS:          0
`;

describe('--cpu-affinity', () => {
  it('is off by default and set by flag, environment or YAML (flag wins); bad values are refused', () => {
    expect(load([]).cpuAffinity).toBe('off');
    expect(load(['--cpu-affinity', 'auto']).cpuAffinity).toBe('auto');
    expect(load([], { SCRATCHBIRD_CPU_AFFINITY: '1' }).cpuAffinity).toEqual({ cpus: [1] });
    expect(load([], {}, 'cpu_affinity: 0-2\n').cpuAffinity).toEqual({ cpus: [0, 1, 2] });
    expect(load([], {}, 'cpu_affinity: 3\n').cpuAffinity).toEqual({ cpus: [3] });
    expect(load(['--cpu-affinity=OFF'], { SCRATCHBIRD_CPU_AFFINITY: 'auto' }, 'cpu_affinity: 1\n').cpuAffinity).toBe('off');
    expect(() => load(['--cpu-affinity', 'fast'])).toThrow(/cpu_affinity: "fast" is not off, auto or a CPU list/);
    expect(() => load(['--cpu-affinity', '3-1'])).toThrow(/cpu_affinity/);
    expect(() => load(['--cpu-affinity', '-1'])).toThrow(/cpu_affinity/);
  });

  it('reads CPU lists as taskset writes them', () => {
    expect(parseCpuList('0')).toEqual([0]);
    expect(parseCpuList('0-3')).toEqual([0, 1, 2, 3]);
    expect(parseCpuList('5, 1-2,2')).toEqual([1, 2, 5]);
    for (const bad of ['', ',', 'a', '1-', '2-1', '0-99999', '1;2']) expect(parseCpuList(bad)).toBeUndefined();
    expect(parseCpuAffinity(' Auto ')).toBe('auto');
    expect(parseCpuAffinity('7')).toEqual({ cpus: [7] });
    expect(parseCpuAffinity('seven')).toBeUndefined();
  });

  it('auto counts device interrupts only and takes the CPU with the fewest', () => {
    const per = deviceInterruptsPerCpu(INTERRUPTS);
    expect(per).toEqual(new Map([[0, 1 + 21588], [1, 16 + 17294696 + 25023]]));
    // CPU0 has far more timer ticks and IPIs, but the disk's interrupts are CPU1's.
    expect(chooseAutoCpu(per, [0, 1])).toBe(0);
    expect(chooseAutoCpu(per, [1])).toBeUndefined();
    expect(chooseAutoCpu(per, [])).toBeUndefined();
    expect(chooseAutoCpu(new Map([[0, 5], [1, 2], [2, 2]]), [0, 1, 2])).toBe(1);
    // Allowed CPUs only, whatever the others took.
    expect(chooseAutoCpu(new Map([[0, 0], [1, 9], [2, 4]]), [1, 2])).toBe(2);
    // A header with more CPUs than a row has numbers (short rows) does not shift the columns.
    const ragged = deviceInterruptsPerCpu('      CPU0  CPU1  CPU2\n  5:   10   20   30  edge x\n  6:    7  edge y\n');
    expect(ragged).toEqual(new Map([[0, 17], [1, 20], [2, 30]]));
  });
});
