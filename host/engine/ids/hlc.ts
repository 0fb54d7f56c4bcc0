// Hybrid logical clock and the stamps it issues (DESIGN.md rule 3, decision 2).
//
// A *stamp* is how the engine compares commit and snapshot times: one JS number,
// an exact integer, that packs the Unix millisecond and the 12-bit HLC counter
// of a UUIDv7 id:
//
//     stamp = (unix_ms - EPOCH_MS) * 4096 + counter        0 <= stamp <= 2^53 - 1
//
// Numeric order of stamps equals the (ms, counter) order of ids, which equals
// the byte order of the first 8 bytes of the ids (see uuidv7.ts). EPOCH_MS is
// 2020-01-01T00:00:00Z, so the 41 bits left for milliseconds run out in
// September 2089 (STAMP_MAX); ids themselves carry 48-bit milliseconds and
// last until the year 10889, but the engine's stamps end in 2089.
//
// The clock (HybridClock) follows Kulkarni et al.'s HLC: the logical
// millisecond never goes backwards, the counter breaks ties within a
// millisecond, and observe() merges a remote stamp so that anything this node
// issues afterwards orders after what it has seen (causal order across nodes).

import { SbError, SqlState } from '../sb_error.ts';

/** 2020-01-01T00:00:00Z in Unix milliseconds: stamp 0. */
export const EPOCH_MS = Date.UTC(2020, 0, 1);
export const COUNTER_BITS = 12;
/** Number of counter values per millisecond (2^12). */
export const COUNTER_RANGE = 4096;
export const COUNTER_MAX = COUNTER_RANGE - 1;
export const STAMP_MIN = 0;
/** The largest stamp: 2089-09-06T15:47:35.551Z, counter 4095. Stamps end in 2089. */
export const STAMP_MAX = 2 ** 53 - 1;
/** Milliseconds after EPOCH_MS that a stamp can express (2^41 - 1). */
export const STAMP_MS_OFFSET_MAX = Math.floor(STAMP_MAX / COUNTER_RANGE);
/** The last Unix millisecond a stamp can express. */
export const STAMP_UNIX_MS_MAX = EPOCH_MS + STAMP_MS_OFFSET_MAX;

/** When the counter passes this within one millisecond the clock counts a warning (B01u). */
export const COUNTER_WARN_THRESHOLD = 3000;
/**
 * How many times the clock re-reads the wall clock, when the counter is
 * exhausted, before it advances its logical millisecond on its own. Real
 * clocks tick well within this; a frozen (injected) clock must not hang us.
 */
export const OVERFLOW_WALL_READS_MAX = 100_000;

function stampRangeError(what: string): SbError {
  return new SbError(SqlState.datetime_field_overflow, `${what} is outside the stamp range (2020-01-01 to 2089-09-06)`);
}

/** Packs a Unix millisecond and a counter into a stamp. */
export function stampOf(ms: number, counter: number): number {
  if (!Number.isInteger(counter) || counter < 0 || counter > COUNTER_MAX) {
    throw new SbError(SqlState.numeric_value_out_of_range, `HLC counter ${counter} is outside 0..${COUNTER_MAX}`);
  }
  if (!Number.isInteger(ms) || ms < EPOCH_MS || ms > STAMP_UNIX_MS_MAX) throw stampRangeError(`time ${ms} ms`);
  return (ms - EPOCH_MS) * COUNTER_RANGE + counter;
}

/** Unix milliseconds of a stamp. */
export function stampMs(stamp: number): number {
  return EPOCH_MS + Math.floor(stamp / COUNTER_RANGE);
}

/** HLC counter of a stamp. */
export function stampCounter(stamp: number): number {
  return stamp % COUNTER_RANGE;
}

/** True when `stamp` is an integer in [STAMP_MIN, STAMP_MAX]. */
export function isStamp(stamp: unknown): stamp is number {
  return typeof stamp === 'number' && Number.isInteger(stamp) && stamp >= STAMP_MIN && stamp <= STAMP_MAX;
}

/**
 * Stamp of a UUIDv7 id (bytes 0-5 milliseconds, low 12 bits of bytes 6-7 the
 * counter). Throws 22008 for ids whose time lies outside the stamp range.
 */
export function stampFromId(id: Uint8Array): number {
  if (id.length !== 16) throw new SbError(SqlState.invalid_binary_representation, `an id has 16 bytes, not ${id.length}`);
  const ms = (id[0] * 0x10000 + ((id[1] << 8) | id[2])) * 0x1000000 + ((id[3] << 16) | (id[4] << 8) | id[5]);
  const counter = ((id[6] & 0x0f) << 8) | id[7];
  return stampOf(ms, counter);
}

export function stampToDate(stamp: number): Date {
  return new Date(stampMs(stamp));
}

/** The first stamp (counter 0) of a date or Unix millisecond (fractions are floored). */
export function stampFromDate(date: Date | number): number {
  const ms = typeof date === 'number' ? date : date.getTime();
  if (!Number.isFinite(ms)) throw stampRangeError(`time ${ms}`);
  return stampOf(Math.floor(ms), 0);
}

export interface HybridClockOptions {
  /** This node's id, 1..65535 (0 is reserved). */
  nodeId: number;
  /** Wall-clock Unix milliseconds (Platform.wallClockMs). */
  wallClockMs: () => number;
  /** The highest stamp this node ever issued (recovered from disk); now() stays above it. */
  floorStamp?: number;
  /** Bound on wall-clock re-reads while waiting out a full counter (default OVERFLOW_WALL_READS_MAX). */
  overflowWallReadsMax?: number;
}

export interface HybridClockStats {
  nodeId: number;
  /** The last stamp issued or merged, -1 before the first. */
  lastStamp: number;
  /** Highest counter value ever used within one millisecond. */
  counterHighWater: number;
  /** Times the counter passed COUNTER_WARN_THRESHOLD within one millisecond. */
  counterWarnings: number;
  /** Times the counter ran out and the clock waited for the next millisecond. */
  counterOverflowWaits: number;
  /** Of those, times the wall clock did not advance in time and the clock advanced on its own. */
  counterOverflowAdvances: number;
  /** Readings of the wall clock behind the clock's logical time. */
  skewEvents: number;
  maxBackwardSkewMs: number;
  /** Remote stamps observed ahead of our wall clock, and by how much at most. */
  remoteAheadEvents: number;
  maxRemoteAheadMs: number;
}

/** A hybrid logical clock that issues strictly increasing stamps. */
export class HybridClock {
  readonly nodeId: number;
  private readonly wallClockMs: () => number;
  private readonly overflowWallReadsMax: number;
  private lastMs: number;
  /** -1 until the first stamp of lastMs is issued, so that stamp 0 is reachable. */
  private lastCounter: number;
  private counterHighWater = 0;
  private counterWarnings = 0;
  private counterOverflowWaits = 0;
  private counterOverflowAdvances = 0;
  private skewEvents = 0;
  private maxBackwardSkewMs = 0;
  private remoteAheadEvents = 0;
  private maxRemoteAheadMs = 0;

  constructor(options: HybridClockOptions) {
    const { nodeId, floorStamp } = options;
    if (!Number.isInteger(nodeId) || nodeId < 1 || nodeId > 0xffff) {
      throw new SbError(SqlState.invalid_parameter_value, `node id must be an integer in 1..65535, got ${nodeId}`, {
        hint: 'node id 0 is reserved',
      });
    }
    this.nodeId = nodeId;
    this.wallClockMs = options.wallClockMs;
    this.overflowWallReadsMax = options.overflowWallReadsMax ?? OVERFLOW_WALL_READS_MAX;
    if (floorStamp === undefined) {
      this.lastMs = EPOCH_MS;
      this.lastCounter = -1;
    } else {
      if (!isStamp(floorStamp)) {
        throw new SbError(SqlState.invalid_parameter_value, `floor stamp ${floorStamp} is not a valid stamp`);
      }
      this.lastMs = stampMs(floorStamp);
      this.lastCounter = stampCounter(floorStamp);
    }
  }

  /** A stamp strictly greater than every stamp this clock returned or observed before. */
  now(): number {
    const wall = this.readWall();
    if (wall > this.lastMs) return this.issue(wall, 0);
    if (wall < this.lastMs) this.noteBackward(wall);
    return this.issue(this.lastMs, this.lastCounter + 1);
  }

  /**
   * Merges a stamp (or the stamp of an id) received from another node, by
   * the HLC receive rule, and returns the stamp of the receive event; every
   * later now() is greater than it. A full counter is handled as in now().
   */
  observe(remoteStampOrId: number | Uint8Array): number {
    const remote = typeof remoteStampOrId === 'number' ? remoteStampOrId : stampFromId(remoteStampOrId);
    if (!isStamp(remote)) throw new SbError(SqlState.invalid_parameter_value, `observed stamp ${remote} is not a valid stamp`);
    const remoteMs = stampMs(remote);
    const remoteCounter = stampCounter(remote);
    const wall = this.readWall();
    if (remoteMs > wall) {
      this.remoteAheadEvents++;
      if (remoteMs - wall > this.maxRemoteAheadMs) this.maxRemoteAheadMs = remoteMs - wall;
    }
    if (wall < this.lastMs) this.noteBackward(wall);
    const ms = Math.max(wall, this.lastMs, remoteMs);
    let counter: number;
    if (ms === this.lastMs && ms === remoteMs) counter = Math.max(this.lastCounter, remoteCounter) + 1;
    else if (ms === this.lastMs) counter = this.lastCounter + 1;
    else if (ms === remoteMs) counter = remoteCounter + 1;
    else counter = 0;
    return this.issue(ms, counter);
  }

  /** The last stamp issued or merged (-1 before the first); not a new stamp. */
  lastStamp(): number {
    return this.lastCounter < 0 ? -1 : (this.lastMs - EPOCH_MS) * COUNTER_RANGE + this.lastCounter;
  }

  stats(): HybridClockStats {
    return {
      nodeId: this.nodeId,
      lastStamp: this.lastStamp(),
      counterHighWater: this.counterHighWater,
      counterWarnings: this.counterWarnings,
      counterOverflowWaits: this.counterOverflowWaits,
      counterOverflowAdvances: this.counterOverflowAdvances,
      skewEvents: this.skewEvents,
      maxBackwardSkewMs: this.maxBackwardSkewMs,
      remoteAheadEvents: this.remoteAheadEvents,
      maxRemoteAheadMs: this.maxRemoteAheadMs,
    };
  }

  private readWall(): number {
    const wall = Math.floor(this.wallClockMs());
    // A wall clock before 2020 (or NaN) is broken; the logical time carries on.
    return wall >= EPOCH_MS ? wall : EPOCH_MS;
  }

  private noteBackward(wall: number): void {
    this.skewEvents++;
    const skew = this.lastMs - wall;
    if (skew > this.maxBackwardSkewMs) this.maxBackwardSkewMs = skew;
  }

  private issue(ms: number, counter: number): number {
    if (counter > COUNTER_MAX) {
      // The millisecond is used up: wait for the wall clock to move past it.
      this.counterOverflowWaits++;
      let next = ms + 1;
      let advanced = false;
      for (let reads = 0; reads < this.overflowWallReadsMax; reads++) {
        const wall = this.readWall();
        if (wall > ms) {
          next = wall;
          advanced = true;
          break;
        }
      }
      if (!advanced) this.counterOverflowAdvances++;
      ms = next;
      counter = 0;
    }
    if (ms > STAMP_UNIX_MS_MAX) throw stampRangeError('the hybrid clock');
    if (counter > this.counterHighWater) this.counterHighWater = counter;
    if (counter > COUNTER_WARN_THRESHOLD && (ms !== this.lastMs || this.lastCounter <= COUNTER_WARN_THRESHOLD)) {
      this.counterWarnings++;
    }
    this.lastMs = ms;
    this.lastCounter = counter;
    return (ms - EPOCH_MS) * COUNTER_RANGE + counter;
  }
}
