// Regenerates host/engine/functions/oids.ts from a PostgreSQL 15 catalog:
// the pg_proc / pg_operator OIDs of every signature the registry asks for.
//   npx tsx tests/functions/tools/gen_oids.ts   (PG_DIFF_PORT=<port> to reuse a server)

import { writeFileSync } from 'node:fs';
import { registry } from '../../../host/engine/functions/index.ts';
import { startPg } from '../pg_server.ts';

const pg = await startPg();
if (pg === undefined) throw new Error('PostgreSQL binaries not found');
try {
  const sql = `
select 'p' || chr(9) || p.proname || '(' || coalesce((select string_agg(t.typname::text, ',' order by a.ord)
  from unnest(p.proargtypes::oid[]) with ordinality a(oid, ord) join pg_type t on t.oid = a.oid), '') || ')' || chr(9) || p.oid
from pg_proc p where p.pronamespace = 'pg_catalog'::regnamespace
union all
select 'o' || chr(9) || o.oprname || '(' || case when o.oprleft = 0 then '' else (select typname from pg_type where oid = o.oprleft) || ',' end
  || (select typname from pg_type where oid = o.oprright) || ')' || chr(9) || o.oid
from pg_operator o where o.oprnamespace = 'pg_catalog'::regnamespace;`;
  const out = pg.query(sql);
  const table = new Map<string, number>();
  for (const line of out.split('\n')) {
    const [kind, key, oid] = line.split('\t');
    if (kind === undefined || key === undefined || oid === undefined) continue;
    // pg_type spells "char" as char and array types with a leading underscore, as signatureKey does.
    const k = `${kind}:${key}`;
    const prev = table.get(k);
    if (prev === undefined || Number(oid) < prev) table.set(k, Number(oid));
  }
  const proc: string[] = [];
  const oper: string[] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  for (const [kind, key] of registry.requested) {
    const k = `${kind}:${key}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const oid = table.get(k);
    if (oid === undefined) {
      missing.push(k);
      continue;
    }
    (kind === 'p' ? proc : oper).push(`  ${JSON.stringify(key)}: ${oid},`);
  }
  proc.sort();
  oper.sort();
  const text = `// PostgreSQL 15's OIDs of the built-ins we implement (pg_proc and
// pg_operator), keyed by name(argument typnames). Generated from a
// PostgreSQL 15 catalog by tests/functions/tools/gen_oids.ts; do not edit.

const PROC: Record<string, number> = {
${proc.join('\n')}
};

const OPER: Record<string, number> = {
${oper.join('\n')}
};

export function oidOf(kind: 'p' | 'o', key: string): number | undefined {
  return kind === 'p' ? PROC[key] : OPER[key];
}
`;
  writeFileSync(new URL('../../../host/engine/functions/oids.ts', import.meta.url), text);
  console.log(`${proc.length} functions, ${oper.length} operators; not in pg_catalog: ${missing.length}`);
  for (const m of missing) console.log('  missing', m);
} finally {
  pg.stop();
}
