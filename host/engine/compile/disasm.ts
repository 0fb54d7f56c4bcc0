// The disassembler EXPLAIN (BYTECODE) prints: one line per instruction with
// its byte offset, nested plan nodes indented. It is the validating decoder
// with a listing, so what it prints is exactly what the executor will run.

import { decodePlan } from './decode.ts';
import { bytecodeHash } from './sblr.ts';

export function disassemble(bytes: Uint8Array): string[] {
  const listing = { lines: [] as string[] };
  decodePlan(bytes, listing);
  return [`SBLR v2, ${bytes.length} bytes, hash ${bytecodeHash(bytes)}`, ...listing.lines];
}
