// One PostgreSQL client connection: a state machine over a byte stream.
//
//   startup  ─ SSLRequest → 'S' and TLS when the transport can, else 'N';
//              GSSENCRequest → 'N' (stay in startup)
//            ─ CancelRequest → cancel the target session, close
//            ─ StartupMessage → pick the auth method (hba.ts) → auth or ready
//   auth     ─ SASLInitialResponse / SASLResponse (SCRAM-SHA-256), or
//              PasswordMessage (md5, password) → AuthenticationOk,
//              ParameterStatus*, BackendKeyData, ReadyForQuery → ready
//   ready    ─ Query, Parse/Bind/Describe/Execute/Close/Sync/Flush, Terminate
//   closed
//
// The transport (a socket) is anything with write/close; the listener feeds
// bytes in with onData and tells of the peer's end with onEnd. Frames are
// handled one at a time; output is buffered and written when no complete
// frame is left to handle, or when it grows large. A broken frame header is
// FATAL 08P01 (the byte stream has lost its framing); a malformed message
// body is an ERROR and the connection goes on.

import { SbError, SqlState } from '../../engine/sb_error.ts';
import type { Session } from '../../engine/session/session.ts';
import { decodeUtf8 } from './bytes.ts';
import { decodeFrontend, decodePasswordMessage, decodeSaslInitialResponse, decodeStartupPacket, type FrontendMessage, type StartupMessage } from './decode.ts';
import { BackendWriter } from './encode.ts';
import { errorFields } from './errors.ts';
import { functionCall, functionCallResponse } from './fastpath.ts';
import { FrameReader } from './frame_reader.ts';
import { type AuthMethod, hbaMethod } from './hba.ts';
import { md5 as md5Hex } from '../../engine/functions/digest.ts';
import { FE, PROTOCOL_3_0, PROTOCOL_MINOR_LATEST, type TransactionStatus } from './protocol.ts';
import { QueryProtocol } from './query.ts';
import { SCRAM_MECHANISM, SCRAM_PLUS_MECHANISM, scramMechanisms, ScramServer, verifierMatches } from './scram.ts';
import type { CancelTarget, NotifyTarget, PgServerState } from './server_state.ts';
import type { ActivityRow } from '../../engine/catalog/pg_catalog.ts';

export interface PgTransport {
  /** The peer's IP address (for the hba rules), '' when unknown. */
  readonly remoteAddress: string;
  /**
   * Sends bytes; a returned promise resolves when the transport can take
   * more. `urgent`: the bytes answer a transaction block (the session may
   * hold locks others wait for; the answer that ends the block included), so
   * they should leave now rather than through a queue to another thread.
   */
  write(bytes: Uint8Array, urgent?: boolean): void | Promise<void>;
  /** Ends the connection once written bytes are out. */
  close(): void;
  /** Stop / restart delivering data (input backpressure). */
  pause?(): void;
  resume?(): void;
  /** Present when TLS is configured: after 'S' has been written, switches the stream to TLS (server side). */
  startTls?(): void;
  /** True once the stream is encrypted. */
  readonly encrypted?: boolean;
  /** Once encrypted: the tls-server-end-point channel-binding data (RFC 5929) for SCRAM-SHA-256-PLUS. */
  readonly tlsServerEndPoint?: Uint8Array;
}

type Phase = 'startup' | 'auth' | 'ready' | 'closed';

/** pg_stat_activity's wait event of a session waiting for its client's next message (PostgreSQL 14+). */
const CLIENT_READ = ['Client', 'ClientRead'] as const;

/** Input buffered beyond one message of this size pauses the transport. */
const input_buffer_bytes_max_extra = 1024 * 1024;

function fatal(code: string, message: string, detail?: string): SbError {
  return new SbError(code, message, { severity: 'FATAL', ...(detail !== undefined ? { detail } : {}) });
}

function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  globalThis.crypto.getRandomValues(b);
  return b;
}

const ID_PARAMS = new Set(['user', 'database', 'replication', 'options']);

/** Notifications queued for a client in a transaction (or busy), bounded. */
const notifications_queued_max = 10_000;

export class PgConnection implements CancelTarget, NotifyTarget {
  processId = 0;
  secretKey: Uint8Array = new Uint8Array(0);
  readonly out = new BackendWriter();
  private readonly reader: FrameReader;
  private phase: Phase = 'startup';
  private pumping = false;
  /** idle_in_transaction_session_timeout as of the settings' version idleTimeoutVersion. */
  private idleTimeoutVersion = -1;
  private idleTimeoutOwnMs = 0;
  /** The output belongs to a transaction block (see readyForQuery). */
  private urgentOut = false;
  private paused = false;
  private sessionRef: Session | null = null;
  private queries: QueryProtocol | null = null;
  private startupParams = new Map<string, string>();
  private user = '';
  private database = '';
  private authMethod: AuthMethod = 'trust';
  private scram: ScramServer | null = null;
  private scramStep: 'initial' | 'final' = 'initial';
  private md5Salt: Uint8Array | null = null;
  private storedPassword: string | undefined;
  private cancelTimer: (() => void) | null = null;
  private lastStatus: TransactionStatus = 'I';
  private txStartMs = 0;
  private statementsSinceReady = 0;
  private lastError = false;
  private readonly pendingNotifications: Array<{ processId: number; channel: string; payload: string }> = [];
  private readonly backendStartMs: number;
  private queryStartMs: number | null = null;
  private xactStartMs: number | null = null;
  private stateChangeMs: number;
  /** Reads from the transport so far, and when (in that count) the last statement ended (monotonicMs): ReadyForQuery in the same read reuses that clock reading. */
  private reads = 0;
  private lastEndRead = -1;
  private lastEndMono = 0;
  private queryText = '';
  /** Connection id for logs (the backend pid once known). */
  readonly id: number;
  private static nextId = 0;

  constructor(
    private readonly state: PgServerState,
    private readonly transport: PgTransport,
  ) {
    this.id = ++PgConnection.nextId;
    this.reader = new FrameReader({ messageBytesMax: state.config.messageBytesMax });
    state.open++;
    state.counters.connectionsTotal++;
    this.backendStartMs = this.stateChangeMs = state.activityMs();
    if (state.config.authenticationTimeoutMs > 0) {
      this.cancelTimer = state.db.platform.setTimer(() => {
        if (this.phase === 'startup' || this.phase === 'auth') void this.fail(fatal(SqlState.connection_failure, 'canceling authentication due to timeout'));
      }, state.config.authenticationTimeoutMs);
    }
  }

  get session(): Session {
    if (!this.sessionRef) throw new Error('no session before authentication');
    return this.sessionRef;
  }

  activity(): ActivityRow {
    const status = this.sessionRef?.transactionStatus ?? 'I';
    const state: ActivityRow['state'] = this.pumping ? 'active' : status === 'I' ? 'idle' : status === 'T' ? 'idle in transaction' : 'idle in transaction (aborted)';
    return {
      pid: this.processId, user: this.user, application: this.sessionRef?.settings.get('application_name') ?? '',
      clientAddress: this.transport.remoteAddress, backendStartMs: this.backendStartMs, xactStartMs: this.xactStartMs,
      queryStartMs: this.queryStartMs, stateChangeMs: this.stateChangeMs, state, query: this.queryText,
      waitEvent: this.pumping ? this.sessionRef?.waitEvent ?? null : CLIENT_READ,
    };
  }

  get busy(): boolean {
    return this.pumping;
  }

  get closed(): boolean {
    return this.phase === 'closed';
  }

  /** CancelRequest from another socket. */
  cancel(): void {
    this.sessionRef?.cancel();
  }

  /** A committed NOTIFY on a channel this connection listens to. */
  deliver(processId: number, channel: string, payload: string): void {
    if (this.phase !== 'ready') return;
    if (this.pendingNotifications.length >= notifications_queued_max) {
      this.state.log.warn('pg', 'notification_dropped', { connection: this.id, pid: this.processId, channel });
      return;
    }
    this.pendingNotifications.push({ processId, channel, payload });
    // An idle client outside a transaction gets it now; otherwise before its next ReadyForQuery.
    if (!this.pumping && this.sessionRef?.transactionStatus === 'I') {
      this.sendNotifications();
      void this.flush().catch(() => {});
    }
  }

  private sendNotifications(): void {
    for (const n of this.pendingNotifications.splice(0)) this.out.notificationResponse(n);
  }

  onData(chunk: Uint8Array): void {
    if (this.phase === 'closed') return;
    this.reads++;
    this.reader.push(chunk);
    if (!this.paused && this.reader.buffered > this.reader.messageBytesMax + input_buffer_bytes_max_extra) {
      this.paused = true;
      this.state.counters.inputPauses++;
      this.transport.pause?.();
    }
    void this.pump();
  }

  /** The peer closed the connection (or the socket failed). */
  onEnd(): void {
    void this.shutdown('client_closed');
  }

  /** pg_terminate_backend from another session: cancel what runs, then FATAL 57P01 and close. */
  terminateBackend(): void {
    this.sessionRef?.cancel();
    const platform = this.state.db.platform;
    // Let the calling statement (perhaps this very session's) finish first.
    platform.setTimer(() => {
      void (async () => {
        const until = platform.monotonicMs() + 5_000;
        while (this.pumping && this.phase !== 'closed' && platform.monotonicMs() < until) {
          this.sessionRef?.cancel();
          await new Promise<void>((r) => platform.setTimer(r, 10));
        }
        if (this.phase === 'closed') return;
        this.out.errorResponse({ severity: 'FATAL', code: SqlState.admin_shutdown, message: 'terminating connection due to administrator command' });
        await this.flush().catch(() => {});
        await this.shutdown('terminated');
      })();
    }, 0);
  }

  /** Server shutdown: FATAL 57P01 to an idle session; a running statement is left to finish. */
  async terminate(reason: string, graceMs = 5_000): Promise<void> {
    const platform = this.state.db.platform;
    const until = platform.monotonicMs() + graceMs;
    while (this.pumping && this.phase !== 'closed' && platform.monotonicMs() < until) {
      await new Promise<void>((r) => platform.setTimer(r, 10));
    }
    if (this.phase === 'closed') return;
    this.out.errorResponse({ severity: 'FATAL', code: SqlState.admin_shutdown, message: `terminating connection due to ${reason}` });
    await this.flush().catch(() => {});
    await this.shutdown('server_shutdown');
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        if (this.phase === 'closed') break;
        let frame;
        try {
          frame = this.reader.next();
          if (!frame) {
            const w = this.writeOut();
            if (w !== undefined) await w;
            frame = this.reader.next();
          }
        } catch (e) {
          await this.fail(e);
          break;
        }
        if (!frame) break;
        this.clearIdleTimer();
        // Most messages are handled synchronously: no promise to wait for.
        const p = this.handle(frame.type, frame.body);
        if (p !== undefined) await p;
      }
    } catch (e) {
      this.state.log.error('pg', 'connection_failed', { connection: this.id, message: String((e as Error)?.message ?? e) });
      await this.fail(e);
    } finally {
      this.pumping = false;
    }
    if (this.paused && this.phase !== 'closed') {
      this.paused = false;
      this.transport.resume?.();
    }
  }

  async flush(): Promise<void> {
    await this.writeOut();
  }

  /** Hands buffered output to the transport; a promise only when it asks to wait. */
  private writeOut(): void | Promise<void> {
    if (this.out.length === 0 || this.phase === 'closed') return;
    return this.transport.write(this.out.take(), this.urgentOut);
  }

  /** Sends a FATAL error (or a generic 08P01 for anything else) and closes. */
  private async fail(e: unknown): Promise<void> {
    if (this.phase === 'closed') return;
    const f = errorFields(e, 'FATAL');
    this.state.counters.error(f.code);
    if (f.code === SqlState.internal_error) this.state.log.error('pg', 'internal_error', { connection: this.id, message: f.message });
    this.out.errorResponse(f);
    await this.flush().catch(() => {});
    await this.shutdown('fatal');
  }

  private async shutdown(reason: string): Promise<void> {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.state.open--;
    this.state.unregister(this);
    this.transport.close();
    this.queries?.reset();
    this.state.unlisten(this);
    this.state.log.debug('pg', 'disconnected', { connection: this.id, pid: this.processId, reason });
    if (this.sessionRef) {
      if (this.sessionRef.transactionStatus !== 'I') this.state.counters.transactionsRolledBack++;
      await this.sessionRef.close().catch(() => {});
    }
  }

  private handle(type: number, body: Uint8Array): void | Promise<void> {
    switch (this.phase) {
      case 'startup':
        return this.handleStartup(body);
      case 'auth':
        if (type !== FE.Password) throw fatal(SqlState.protocol_violation, `expected password response, got message type ${type}`);
        return this.handleAuth(body);
      case 'ready':
        return this.handleReady(type, body);
      default:
        return;
    }
  }

  // ---------------------------------------------------------------- startup

  private async handleStartup(body: Uint8Array): Promise<void> {
    const p = decodeStartupPacket(body);
    switch (p.kind) {
      case 'ssl_request':
        if (this.transport.startTls && !this.transport.encrypted) {
          if (this.reader.buffered > 0) throw fatal(SqlState.protocol_violation, 'received unencrypted data after SSL request');
          await this.transport.write(new Uint8Array([0x53]));
          this.transport.startTls();
          return;
        }
        await this.transport.write(new Uint8Array([0x4e]));
        return;
      case 'gssenc_request':
        // One byte, never an ErrorResponse: the client goes on in plain text or gives up.
        await this.transport.write(new Uint8Array([0x4e]));
        return;
      case 'cancel':
        this.state.cancel(p.processId, p.secretKey);
        await this.shutdown('cancel_request');
        return;
      case 'startup':
        this.reader.startupPhase = false;
        return this.startup(p);
    }
  }

  private async startup(m: StartupMessage): Promise<void> {
    const minor = m.protocol & 0xffff;
    const unknownOptions = [...m.params.keys()].filter((k) => k.startsWith('_pq_.'));
    if (minor > 0 || unknownOptions.length > 0) this.out.negotiateProtocolVersion(PROTOCOL_3_0 | PROTOCOL_MINOR_LATEST, unknownOptions); // the full version, as PostgreSQL sends it
    this.startupParams = m.params;
    const user = m.params.get('user');
    if (!user) throw fatal(SqlState.invalid_authorization_specification, 'no PostgreSQL user name specified in startup packet');
    this.user = user;
    this.database = m.params.get('database') || user;
    if (this.state.stopping) throw fatal(SqlState.cannot_connect_now, 'the database system is shutting down');
    if (this.state.active >= this.state.config.connectionsMax) {
      this.state.counters.connectionsRejected++;
      throw fatal(SqlState.too_many_connections, 'sorry, too many clients already');
    }
    const enc = m.params.get('client_encoding');
    if (enc !== undefined && !/^(utf-?8|unicode|sql_ascii|auto)$/i.test(enc.trim())) {
      throw fatal(SqlState.character_not_in_repertoire, `invalid value for parameter "client_encoding": "${enc}"`, 'Only UTF8 is supported.');
    }
    if (m.params.get('replication') !== undefined && !/^(false|off|0|no)$/i.test(m.params.get('replication')!)) {
      throw fatal(SqlState.feature_not_supported, 'replication connections are not supported');
    }
    if (this.database !== this.state.db.dbName) throw fatal(SqlState.invalid_catalog_name, `database "${this.database}" does not exist`);
    const address = this.transport.remoteAddress;
    const ssl = this.transport.encrypted === true;
    const method = hbaMethod(this.state.config.hba, this.database, user, address, ssl);
    const encryption = ssl ? 'SSL encryption' : 'no encryption';
    if (method === undefined) {
      throw fatal(SqlState.invalid_authorization_specification, `no pg_hba.conf entry for host "${address}", user "${user}", database "${this.database}", ${encryption}`);
    }
    if (method === 'reject') {
      throw fatal(SqlState.invalid_authorization_specification, `pg_hba.conf rejects connection for host "${address}", user "${user}", database "${this.database}", ${encryption}`);
    }
    const role = this.state.db.catalog.current().role(user);
    this.storedPassword = role?.password;
    if (method === 'trust') return this.authenticated();
    this.phase = 'auth';
    const stored = this.storedPassword;
    this.authMethod = method === 'md5' && (stored === undefined || !stored.startsWith('md5')) ? 'scram-sha-256' : method;
    if (this.authMethod === 'scram-sha-256') {
      const binding = ssl ? this.transport.tlsServerEndPoint : undefined;
      this.scram = new ScramServer(stored !== undefined && stored.startsWith('SCRAM-SHA-256$') ? stored : undefined, undefined, binding);
      this.out.authenticationSASL(scramMechanisms(binding !== undefined));
    } else if (this.authMethod === 'md5') {
      this.md5Salt = randomBytes(4);
      this.out.authenticationMD5Password(this.md5Salt);
    } else {
      this.out.authenticationCleartextPassword();
    }
  }

  private authFailed(): SbError {
    this.state.counters.authFailures++;
    return fatal(SqlState.invalid_password, `password authentication failed for user "${this.user}"`);
  }

  private async handleAuth(body: Uint8Array): Promise<void> {
    if (this.authMethod === 'scram-sha-256') {
      if (this.scramStep === 'initial') {
        const r = decodeSaslInitialResponse(body);
        if (r.mechanism !== SCRAM_MECHANISM && r.mechanism !== SCRAM_PLUS_MECHANISM) throw fatal(SqlState.protocol_violation, 'client selected an invalid SASL authentication mechanism');
        if (r.data === null) throw fatal(SqlState.protocol_violation, 'malformed SCRAM message', 'The message is empty.');
        this.scramStep = 'final';
        this.out.authenticationSASLContinue(this.scram!.first(r.data, r.mechanism));
        return;
      }
      let final: Uint8Array;
      try {
        final = this.scram!.final(body, this.user);
      } catch (e) {
        if (e instanceof SbError && e.code === SqlState.invalid_password) throw this.authFailed();
        throw e;
      }
      this.out.authenticationSASLFinal(final);
      return this.authenticated();
    }
    const { password } = decodePasswordMessage(body);
    const stored = this.storedPassword;
    let ok = false;
    if (stored !== undefined) {
      if (this.authMethod === 'md5') {
        ok = password === 'md5' + md5Hex(concat(stored.slice(3), this.md5Salt!));
      } else if (stored.startsWith('md5')) {
        ok = stored === 'md5' + md5Hex(password + this.user);
      } else {
        ok = verifierMatches(stored, password);
      }
    }
    if (!ok) throw this.authFailed();
    return this.authenticated();
  }

  private async authenticated(): Promise<void> {
    const role = this.state.db.catalog.current().role(this.user);
    if (!role) throw fatal(SqlState.invalid_authorization_specification, `role "${this.user}" does not exist`);
    if (!role.login) throw fatal(SqlState.invalid_authorization_specification, `role "${this.user}" is not permitted to log in`);
    const session = this.state.db.session({ user: role.name });
    this.sessionRef = session;
    const s = session.settings;
    s.set('server_version', this.state.config.serverVersion, false, true);
    s.set('is_superuser', role.superuser ? 'on' : 'off', false, true);
    try {
      for (const [k, v] of this.startupParams) {
        if (ID_PARAMS.has(k) || k.startsWith('_pq_.')) continue;
        if (k === 'client_encoding') continue;
        this.applyStartupSetting(k, v);
      }
      const options = this.startupParams.get('options');
      if (options) for (const [k, v] of parseOptions(options)) this.applyStartupSetting(k, v);
    } catch (e) {
      await session.close();
      this.sessionRef = null;
      const err = e instanceof SbError ? e : new SbError(SqlState.invalid_parameter_value, String(e));
      throw fatal(err.code, err.message);
    }
    const enc = this.startupParams.get('client_encoding');
    if (enc !== undefined && /^sql_ascii$/i.test(enc.trim())) s.set('client_encoding', 'SQL_ASCII');
    this.processId = session.pid;
    this.secretKey = randomBytes(4);
    this.state.register(this);
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.queries = new QueryProtocol({
      session,
      out: this.out,
      flush: () => this.flush(),
      onError: (e, code) => {
        this.lastError = true;
        this.state.counters.error(code);
        if (code === SqlState.internal_error) {
          this.state.log.error('pg', 'internal_error', { connection: this.id, pid: this.processId, message: String((e as Error)?.message ?? e), stack: (e as Error)?.stack?.split('\n').slice(0, 6).join(' | ') });
        }
      },
      onStatement: (startedMs) => {
        const end = this.state.db.platform.monotonicMs();
        this.lastEndMono = end;
        this.lastEndRead = this.reads;
        this.statementsSinceReady++;
        this.state.counters.queriesTotal++;
        this.state.counters.queryDuration.observe((end - startedMs) / 1000);
      },
      monotonicMs: () => this.state.db.platform.monotonicMs(),
      onQueryStart: (sql) => {
        const mono = this.state.db.platform.monotonicMs();
        const now = this.state.activityAt(mono);
        this.queryText = sql.length > 1024 ? sql.slice(0, 1024) : sql;
        this.queryStartMs = this.stateChangeMs = now;
        if (this.xactStartMs === null) this.xactStartMs = now;
        return mono;
      },
      listen: (channel) => this.state.listen(this, channel),
      unlisten: (channel) => this.state.unlisten(this, channel),
      notify: (channel, payload) => void this.state.notify(this.processId, channel, payload),
    });
    this.out.authenticationOk();
    for (const [name, value] of s.reported()) this.out.parameterStatus(name, value);
    this.out.backendKeyData(this.processId, this.secretKey);
    s.onReport = (name, value) => this.out.parameterStatus(name, value);
    this.phase = 'ready';
    this.state.log.debug('pg', 'connected', { connection: this.id, pid: this.processId, user: this.user, application: this.startupParams.get('application_name') ?? '' });
    this.readyForQuery();
  }

  private applyStartupSetting(name: string, value: string): void {
    // Unknown startup parameters are ignored (SPEC-DIGEST §4.4); bad values of known ones are fatal.
    try {
      this.session.settings.set(name, value);
    } catch (e) {
      if (e instanceof SbError && e.code === SqlState.undefined_object) return;
      if (e instanceof SbError && e.code === '55P02') return;
      throw e;
    }
  }

  // ---------------------------------------------------------------- ready

  private readyForQuery(): void {
    const status = this.sessionRef!.transactionStatus;
    const counters = this.state.counters;
    // A statement that ended in this same read gives the time; else the clock is read.
    const mono = this.lastEndRead === this.reads ? this.lastEndMono : this.state.db.platform.monotonicMs();
    this.lastEndRead = -1;
    if (this.lastStatus === 'I' && status !== 'I') this.txStartMs = mono;
    if (this.lastStatus !== 'I' && status === 'I') {
      if (this.lastError) counters.transactionsRolledBack++;
      else counters.transactionsCommitted++;
      counters.transactionDuration.observe((mono - this.txStartMs) / 1000);
    } else if (this.lastStatus === 'I' && status === 'I' && this.statementsSinceReady > 0) {
      if (this.lastError) counters.transactionsRolledBack++;
      else counters.transactionsCommitted++;
    }
    // A transaction block's answers, the one that ends it included, leave at once (PgTransport.write).
    this.urgentOut = status !== 'I' || this.lastStatus !== 'I';
    this.lastStatus = status;
    this.statementsSinceReady = 0;
    this.lastError = false;
    if (status === 'I' && this.pendingNotifications.length > 0) this.sendNotifications();
    this.stateChangeMs = this.state.activityAt(mono);
    if (status === 'I') this.xactStartMs = null;
    this.out.readyForQuery(status);
    if (status !== 'I') this.armIdleTimer();
  }

  private armIdleTimer(): void {
    const settings = this.sessionRef!.settings;
    // Read again only after a SET (the settings' version moves): this runs at every ReadyForQuery in a block.
    if (this.idleTimeoutVersion !== settings.version) {
      this.idleTimeoutVersion = settings.version;
      this.idleTimeoutOwnMs = Number(settings.get('idle_in_transaction_session_timeout') ?? 0);
    }
    const own = this.idleTimeoutOwnMs;
    const ms = own > 0 ? own : this.state.config.idleInTransactionTimeoutMs;
    if (ms <= 0) return;
    this.cancelTimer = this.state.db.platform.setTimer(() => {
      this.cancelTimer = null;
      if (this.pumping || this.phase !== 'ready') return;
      void this.fail(fatal(SqlState.idle_in_transaction_session_timeout, 'terminating connection due to idle-in-transaction timeout'));
    }, ms);
  }

  private clearIdleTimer(): void {
    if (this.phase === 'ready' && this.cancelTimer) {
      this.cancelTimer();
      this.cancelTimer = null;
    }
  }

  /** One message after authentication; returns a promise only when the message has asynchronous work. */
  private handleReady(type: number, body: Uint8Array): void | Promise<void> {
    const q = this.queries!;
    if (type === FE.Password) {
      q.sendError(new SbError(SqlState.protocol_violation, 'unexpected password message after authentication'));
      if (!q.skipUntilSync) this.readyForQuery();
      return;
    }
    let m;
    try {
      m = decodeFrontend({ type, body });
    } catch (e) {
      // The frame was cut correctly, only its content is bad: an ERROR, and the connection goes on.
      q.sendError(e);
      if (type === FE.Query) this.readyForQuery();
      else if (type !== FE.Sync) q.skipUntilSync = true;
      else this.readyForQuery();
      return;
    }
    if (q.copyIn && m.type !== 'Terminate') return this.copyMessage(q, m);
    switch (m.type) {
      case 'Query':
        if (q.skipUntilSync) return;
        return this.simpleQuery(q, m.sql);
      case 'Sync': {
        const p = q.sync();
        if (p === undefined) {
          this.readyForQuery();
          return;
        }
        return p.then(() => this.readyForQuery());
      }
      case 'Flush':
        return this.flush();
      case 'Terminate':
        return this.terminateMessage();
      case 'CopyData':
      case 'CopyDone':
        return; // outside COPY these are ignored, as in PostgreSQL
      case 'CopyFail':
        return;
      case 'FunctionCall':
        if (q.skipUntilSync) return;
        return this.functionCall(q, m);
      default:
        return q.extended(m);
    }
  }

  private async copyMessage(q: QueryProtocol, m: FrontendMessage): Promise<void> {
    if (await q.copyMessage(m)) this.readyForQuery();
  }

  private async simpleQuery(q: QueryProtocol, sql: string): Promise<void> {
    if (!(await q.simpleQuery(sql))) return; // COPY IN: ReadyForQuery after CopyDone
    if (/^\s*discard\s+all\s*;?\s*$/i.test(sql)) q.reset();
    this.readyForQuery();
  }

  private async terminateMessage(): Promise<void> {
    await this.flush();
    await this.shutdown('terminate');
  }

  private async functionCall(q: QueryProtocol, m: Extract<FrontendMessage, { type: 'FunctionCall' }>): Promise<void> {
    try {
      functionCallResponse(this.out, await functionCall(this.session, m));
    } catch (e) {
      q.sendError(e);
    }
    this.readyForQuery();
  }
}

function concat(a: string, b: Uint8Array): Uint8Array {
  const ab = new TextEncoder().encode(a);
  const out = new Uint8Array(ab.length + b.length);
  out.set(ab);
  out.set(b, ab.length);
  return out;
}

/** The `options` startup parameter: "-c name=value --name=value", backslash escapes spaces. */
export function parseOptions(options: string): Array<[string, string]> {
  const words: string[] = [];
  let cur = '';
  let any = false;
  for (let i = 0; i < options.length; i++) {
    const c = options[i]!;
    if (c === '\\' && i + 1 < options.length) {
      cur += options[++i];
      any = true;
    } else if (c === ' ' || c === '\t') {
      if (any) words.push(cur);
      cur = '';
      any = false;
    } else {
      cur += c;
      any = true;
    }
  }
  if (any) words.push(cur);
  const out: Array<[string, string]> = [];
  for (let i = 0; i < words.length; i++) {
    let w = words[i]!;
    if (w === '-c' && i + 1 < words.length) w = words[++i]!;
    else if (w.startsWith('-c')) w = w.slice(2);
    else if (w.startsWith('--')) w = w.slice(2);
    else continue;
    const eq = w.indexOf('=');
    if (eq <= 0) continue;
    out.push([w.slice(0, eq).replace(/-/g, '_'), w.slice(eq + 1)]);
  }
  return out;
}

export { decodeUtf8 };
