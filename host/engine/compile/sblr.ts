// SBLR v2: the engine's bytecode (DESIGN.md decision 4). Framing:
//
//   VERSION 0x01, 0x02 | plan node | END 0x00
//
// Integers are LEB128 (signed ones zigzag-encoded first); an opcode byte of
// 0xFF is followed by a u16 (little-endian) extended opcode.
//
// Plan nodes are prefix-encoded: the opcode, then the node's fields in a fixed
// order (nested plans recursively). Expressions are stack code ending in RET:
// each instruction pops its operands and pushes its result; AND/OR and CASE
// carry forward jumps (short-circuit) whose targets the validator checks land
// exactly on the instruction that joins them. Opcode ranges:
//   0x00-0x0F framing, 0x10-0x3E plan nodes, 0x3F RET, 0x40-0x7F expressions,
//   0xFF + u16 extended (0x0100-: statement-level extensions).

import { SbError, SqlState } from '../sb_error.ts';
import type { TypeId } from '../types/types.ts';

export const SBLR_VERSION = 2;

export const OP = {
  END: 0x00,
  VERSION: 0x01,
  // plan nodes
  RESULT: 0x10,
  VALUES: 0x11,
  SCAN: 0x12,
  FILTER: 0x13,
  PROJECT: 0x14,
  SORT: 0x15,
  LIMIT: 0x16,
  DISTINCT: 0x17,
  AGGREGATE: 0x18,
  WINDOW: 0x19,
  JOIN: 0x1a,
  SETOP: 0x1b,
  APPEND: 0x1c,
  CTE_SCAN: 0x1d,
  WITH: 0x1e,
  FUNCTION_SCAN: 0x1f,
  SUBQUERY_SCAN: 0x20,
  MODIFY: 0x21,
  RET: 0x3f,
  // expressions
  CONST: 0x40,
  PARAM: 0x41,
  COL: 0x42,
  OUTER: 0x43,
  CALL: 0x44,
  OPER: 0x45,
  CAST: 0x46,
  JUMP_IF_FALSE: 0x47,
  AND: 0x48,
  JUMP_IF_TRUE: 0x49,
  OR: 0x4a,
  NOT: 0x4b,
  IS_NULL: 0x4c,
  IS_BOOL: 0x4d,
  DISTINCT_FROM: 0x4e,
  CASE_WHEN: 0x4f,
  CASE_THEN: 0x50,
  CASE_END: 0x51,
  COALESCE: 0x52,
  GREATEST: 0x53,
  LEAST: 0x54,
  NULLIF: 0x55,
  IN_LIST: 0x56,
  ARRAY: 0x57,
  ROW: 0x58,
  SUBQUERY: 0x59,
  SUBLINK: 0x5a,
  ARRAY_OP: 0x5b,
  AGG_REF: 0x5c,
  NEXTVAL: 0x5d,
  SEQ_CALL: 0x5e,
  DEFAULT: 0x5f,
  EXTENDED: 0xff,
} as const;

/** Extended opcodes (after 0xFF). */
export const XOP = {
  /** Statement header: result column count and command tag, before the plan. */
  STATEMENT: 0x0100,
} as const;

export const OP_NAMES: Record<number, string> = Object.fromEntries(Object.entries(OP).map(([k, v]) => [v, k]));

/** Type table: a type is encoded as its index here (the order is part of the format: append only). */
export const TYPE_IDS: readonly TypeId[] = [
  'bool', 'int2', 'int4', 'int8', 'numeric', 'float4', 'float8', 'text', 'varchar', 'bpchar', 'name', 'char', 'bytea', 'date',
  'time', 'timetz', 'timestamp', 'timestamptz', 'interval', 'uuid', 'json', 'jsonb', 'oid', 'regclass', 'regtype', 'regproc',
  'regprocedure', 'regnamespace', 'regrole', 'xid', 'cid', 'tid', 'unknown', 'void', 'record', 'array', 'any', 'anyelement',
  'anyarray', 'anynonarray', 'anycompatible', 'anycompatiblearray', 'anycompatiblenonarray', 'trigger', 'bit', 'varbit',
];

/** Value tags of CONST operands. */
export const VT = {
  NULL: 0, FALSE: 1, TRUE: 2, INT: 3, FLOAT: 4, STRING: 5, BYTES: 6, BIGINT: 7, NUMERIC: 8, INTERVAL: 9, JSONB: 10, ARRAY: 11,
  TIMETZ: 12, RECORD: 13,
} as const;

/** Bounds the validator enforces (a hostile stream cannot make it loop or recurse without end). */
export const LIMITS = {
  /** Nesting of plan nodes and subqueries. */
  depth_max: 256,
  /** Values on an expression's stack. */
  stack_max: 100_000,
  /** Elements of any counted list. */
  list_max: 1_000_000,
  /** Bytes of a program. */
  program_bytes_max: 256 * 1024 * 1024,
} as const;

export function bytecodeError(message: string, offset?: number): SbError {
  return new SbError(SqlState.invalid_binary_representation, `invalid SBLR bytecode: ${message}${offset !== undefined ? ` at offset ${offset}` : ''}`);
}

/** A 53-bit hash of a program (cyrb53), as 14 hex digits: the plan cache's key. */
export function bytecodeHash(b: Uint8Array): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}
