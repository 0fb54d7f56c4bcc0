// A small pg_hba.conf: an ordered rule list, the first rule matching the
// connection type, the client's database, user and address picks the
// authentication method.
// Types: 'host' (any TCP connection, the default), 'hostssl' (TLS only),
// 'hostnossl' (plain TCP only). 'local' (Unix-domain sockets) is refused in
// the configuration: the server listens on TCP only.
// Addresses: 'all', an IPv4 or IPv6 address, an IPv4 CIDR ("10.0.0.0/8"),
// or 'loopback' (127.0.0.0/8 and ::1).

export type AuthMethod = 'trust' | 'scram-sha-256' | 'md5' | 'password' | 'reject';
export type HbaType = 'host' | 'hostssl' | 'hostnossl';

export interface HbaRule {
  /** Absent: 'host'. */
  type?: HbaType;
  database: string;
  user: string;
  address: string;
  method: AuthMethod;
}

export const HBA_TYPES: readonly HbaType[] = ['host', 'hostssl', 'hostnossl'];

export const AUTH_METHODS: readonly AuthMethod[] = ['trust', 'scram-sha-256', 'md5', 'password', 'reject'];

/** The default: SCRAM-SHA-256 for everyone, from anywhere the server listens. */
export const DEFAULT_HBA: readonly HbaRule[] = [{ database: 'all', user: 'all', address: 'all', method: 'scram-sha-256' }];

function ipv4(a: string): number | undefined {
  const m = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/i.exec(a);
  if (!m) return undefined;
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return undefined;
    v = v * 256 + o;
  }
  return v;
}

export function isLoopback(address: string): boolean {
  const v = ipv4(address);
  if (v !== undefined) return v >>> 24 === 127;
  return address === '::1' || address === 'localhost';
}

export function addressMatches(pattern: string, address: string): boolean {
  if (pattern === 'all') return true;
  if (pattern === 'loopback' || pattern === 'samehost') return isLoopback(address);
  const slash = pattern.indexOf('/');
  if (slash < 0) return pattern === address || (ipv4(pattern) !== undefined && ipv4(pattern) === ipv4(address));
  const net = ipv4(pattern.slice(0, slash));
  const bits = Number(pattern.slice(slash + 1));
  const addr = ipv4(address);
  if (net === undefined || addr === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  if (bits === 0) return true;
  const mask = bits === 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
  return ((net & mask) >>> 0) === ((addr & mask) >>> 0);
}

function listMatches(pattern: string, value: string): boolean {
  return pattern === 'all' || pattern.split(',').some((p) => p.trim() === value);
}

function typeMatches(type: HbaType | undefined, ssl: boolean): boolean {
  return type === undefined || type === 'host' || (type === 'hostssl') === ssl;
}

/** The method of the first matching rule, or undefined (no entry: the connection is refused). `ssl`: the connection is encrypted. */
export function hbaMethod(rules: readonly HbaRule[], database: string, user: string, address: string, ssl = false): AuthMethod | undefined {
  for (const r of rules) {
    if (typeMatches(r.type, ssl) && listMatches(r.database, database) && listMatches(r.user, user) && addressMatches(r.address, address)) return r.method;
  }
  return undefined;
}

/** Checks a rule read from configuration; throws Error naming the problem. */
export function checkHbaRule(r: unknown, where: string): HbaRule {
  const o = r as Partial<HbaRule>;
  if (typeof o !== 'object' || o === null) throw new Error(`${where}: a rule is an object {type, database, user, address, method}`);
  const type = o.type === undefined ? undefined : String(o.type);
  if (type === 'local') throw new Error(`${where}: type local (Unix-domain sockets) is not supported: the server listens on TCP only; use host, hostssl or hostnossl`);
  if (type !== undefined && !HBA_TYPES.includes(type as HbaType)) throw new Error(`${where}: type must be one of ${HBA_TYPES.join(', ')}`);
  const method = o.method;
  if (typeof method !== 'string' || !AUTH_METHODS.includes(method as AuthMethod)) {
    throw new Error(`${where}: method must be one of ${AUTH_METHODS.join(', ')}`);
  }
  return { ...(type !== undefined ? { type: type as HbaType } : {}), database: String(o.database ?? 'all'), user: String(o.user ?? 'all'), address: String(o.address ?? 'all'), method: method as AuthMethod };
}
