// Shared helpers for the storage tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store, type StoreOptions } from '../../host/engine/store/index.ts';
import { nodePlatform } from '../../host/platform/node.ts';
import { SbError } from '../../host/engine/sb_error.ts';

export const node = nodePlatform();
const enc = new TextEncoder();
const dec = new TextDecoder();

export const b = (s: string): Uint8Array => enc.encode(s);
export const s = (u: Uint8Array | undefined): string | undefined => (u === undefined ? undefined : dec.decode(u));

export function memoryStore(opts: StoreOptions = {}): Promise<Store> {
  return Store.open(':memory:', { platform: node, background: false, ...opts });
}

export function tempDir(prefix = 'sb-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs fn and returns the SQLSTATE of the SbError it throws (or rejects with). */
export async function codeOf(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn();
    return undefined;
  } catch (e) {
    if (e instanceof SbError) return e.code;
    throw e;
  }
}

export function codeOfSync(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof SbError) return e.code;
    throw e;
  }
}
