// Deleting parent rows that a large child table references (ON DELETE
// CASCADE) and ones it does not (NO ACTION finds nothing): the time per
// parent row with an index on the child's foreign key column and without
// one (then each parent row reads the whole child table).
//
//   npx tsx tools/bench/fk_bench.ts [--children 200000] [--deletes 50]

import { open } from '../../host/engine/db.ts';
import { nodePlatform } from '../../host/platform/node.ts';
import { argInt } from './common.ts';

const CHILDREN = argInt('--children', 200_000);
const DELETES = argInt('--deletes', 50);
const PARENTS = 1_000;

for (const indexed of [false, true]) {
  const db = await open(':memory:', { platform: nodePlatform(), store: { background: false } });
  await db.exec('CREATE TABLE parent (id int PRIMARY KEY)');
  await db.exec(`INSERT INTO parent SELECT g FROM generate_series(1, ${PARENTS + DELETES}) g`);
  await db.exec('CREATE TABLE child (id int PRIMARY KEY, pid int REFERENCES parent (id) ON DELETE CASCADE, note text)');
  await db.exec(`INSERT INTO child SELECT g, 1 + g % ${PARENTS}, 'child ' || g FROM generate_series(1, ${CHILDREN}) g`);
  if (indexed) await db.exec('CREATE INDEX child_pid ON child (pid)');
  const time = async (sql: (i: number) => string): Promise<number> => {
    const t0 = performance.now();
    for (let i = 1; i <= DELETES; i++) await db.exec(sql(i));
    return (performance.now() - t0) / DELETES;
  };
  const referenced = await time((i) => `DELETE FROM parent WHERE id = ${i}`); // each has CHILDREN/PARENTS children
  const unreferenced = await time((i) => `DELETE FROM parent WHERE id = ${PARENTS + i}`);
  console.log(`${indexed ? 'index on child(pid)' : 'no index         '}: referenced parent (cascade ${CHILDREN / PARENTS} rows) ${referenced.toFixed(2)} ms, unreferenced ${unreferenced.toFixed(2)} ms per DELETE`);
  await db.close();
}
