// The manifest: which sorted runs make up the database, where WAL replay
// starts, and the counters that must survive a restart.
//
// Stored as `MANIFEST`: a JSON document, a newline, and the CRC32C of the JSON
// in hex. It is replaced atomically (write MANIFEST.tmp, fsync, rename, fsync
// the folder), so a crash leaves either the old or the new one.

import type { Platform } from '../platform/platform.ts';
import { SbError, SqlState } from '../engine/sb_error.ts';
import { crc32c } from './crc32c.ts';

export const MANIFEST_FORMAT_VERSION = 1;
export const MANIFEST_NAME = 'MANIFEST';

export interface RunRecord {
  /** File name inside the data folder. */
  file: string;
  size: number;
  entries: number;
  minStamp: number;
  maxStamp: number;
}

export interface Manifest {
  format: 'scratchbird-manifest';
  formatVersion: number;
  /** Incremented on every write. */
  generation: number;
  nodeId: number;
  /** First WAL segment that recovery must replay... */
  walStart: number;
  /** ...and the offset in it of the first record to replay (0: from the start). */
  walStartOffset: number;
  /** Next number for a new file (runs). */
  nextFile: number;
  /** Highest stamp ever issued (the HLC restarts above it). */
  maxStamp: number;
  /** Versions older than this stamp may have been collected: AS OF below it is refused. */
  gcHorizon: number;
  /** Runs, newest first. */
  runs: RunRecord[];
  /** Dropped key spaces still to be purged by compaction: key prefix (hex) and drop stamp. */
  droppedPrefixes: Array<{ prefix: string; stamp: number }>;
}

export function newManifest(nodeId: number): Manifest {
  return {
    format: 'scratchbird-manifest',
    formatVersion: MANIFEST_FORMAT_VERSION,
    generation: 0,
    nodeId,
    walStart: 1,
    walStartOffset: 0,
    nextFile: 1,
    maxStamp: 0,
    gcHorizon: 0,
    runs: [],
    droppedPrefixes: [],
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export async function readManifest(platform: Platform, dir: string): Promise<Manifest | undefined> {
  const path = platform.joinPath(dir, MANIFEST_NAME);
  if (!(await platform.exists(path))) return undefined;
  const text = decoder.decode(await platform.readFile(path)).replace(/\n$/, '');
  const nl = text.lastIndexOf('\n');
  const body = nl >= 0 ? text.slice(0, nl) : text;
  const crc = nl >= 0 ? text.slice(nl + 1).trim() : '';
  if (crc !== crc32c(encoder.encode(body)).toString(16).padStart(8, '0')) {
    throw new SbError(SqlState.data_corrupted, `the manifest ${path} is damaged (checksum mismatch)`, { kind: 'corrupt' });
  }
  let m: Manifest;
  try {
    m = JSON.parse(body) as Manifest;
  } catch (e) {
    throw new SbError(SqlState.data_corrupted, `the manifest ${path} is not valid JSON`, { kind: 'corrupt', cause: e });
  }
  if (m.format !== 'scratchbird-manifest') {
    throw new SbError(SqlState.object_not_in_prerequisite_state, `${dir} is not a ScratchBird data folder`, { kind: 'format_version' });
  }
  if (m.formatVersion !== MANIFEST_FORMAT_VERSION) {
    throw new SbError(SqlState.object_not_in_prerequisite_state,
      `data folder ${dir} has format version ${m.formatVersion}; this build reads version ${MANIFEST_FORMAT_VERSION}`,
      { kind: 'format_version', hint: 'Open it with the ScratchBird version that wrote it, or export and re-import the data.' });
  }
  return m;
}

export async function writeManifest(platform: Platform, dir: string, m: Manifest): Promise<void> {
  m.generation++;
  const body = JSON.stringify(m);
  const bytes = encoder.encode(`${body}\n${crc32c(encoder.encode(body)).toString(16).padStart(8, '0')}\n`);
  const tmp = platform.joinPath(dir, `${MANIFEST_NAME}.tmp`);
  const file = await platform.openFile(tmp, 'create');
  try {
    await file.truncate(0);
    await file.write(bytes, 0);
    await file.sync();
  } finally {
    await file.close();
  }
  await platform.rename(tmp, platform.joinPath(dir, MANIFEST_NAME));
  await platform.syncDir(dir);
}

export function runFileName(n: number): string {
  return `run-${String(n).padStart(12, '0')}.sbr`;
}

export function isRunFileName(name: string): boolean {
  return /^run-\d{12}\.sbr$/.test(name);
}
