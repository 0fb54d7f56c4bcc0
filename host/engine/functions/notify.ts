// pg_notify(channel, payload): NOTIFY as a function. The notification is
// handed to whoever serves the session's backend pid (a wire listener
// registers a sink, as it does for pg_cancel_backend); the sink delivers it
// when the session's transaction commits and drops it on rollback. Without a
// sink (the embedded API, no listener) there is nobody to notify and the call
// does nothing, as a NOTIFY with no LISTENer does in PostgreSQL.

import { SbError, SqlState } from '../sb_error.ts';
import { T } from '../types/types.ts';
import { defFn } from './registry.ts';

/** PostgreSQL's NAMEDATALEN - 1 and its NOTIFY payload cap (both in bytes). */
export const notify_channel_bytes_max = 63;
export const notify_payload_bytes_max = 8000;

/** Sinks by listener: true when the sink serves the session with that backend pid and took the notification. */
export const notificationSinks = new Set<(pid: number, channel: string, payload: string) => boolean>();

const utf8 = new TextEncoder();

/** The checks of PostgreSQL's Async_Notify (22023). */
export function checkNotification(channel: string | null, payload: string | null): void {
  if (channel === null || channel === '') throw new SbError(SqlState.invalid_parameter_value, 'channel name cannot be empty');
  if (utf8.encode(channel).length > notify_channel_bytes_max) throw new SbError(SqlState.invalid_parameter_value, 'channel name too long');
  if (payload !== null && utf8.encode(payload).length >= notify_payload_bytes_max) throw new SbError(SqlState.invalid_parameter_value, 'payload string too long');
}

defFn('pg_notify', [T.text, T.text], T.void, (a, ctx) => {
  const channel = a[0] as string | null;
  const payload = (a[1] as string | null) ?? '';
  checkNotification(channel, payload);
  const pid = ctx.session?.backendPid;
  if (pid !== undefined) for (const sink of notificationSinks) if (sink(pid, channel!, payload)) break;
  return null;
}, { strict: false, volatility: 'v' });
