// Loads the statement corpora in tests/parser/corpus/<dialect>_*.sql.
// Entries are separated by blank lines; lines starting with `--` at the start
// of an entry are comments. An entry may hold several statements (a script).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const corpus_dir = join(import.meta.dirname, 'corpus');

export interface CorpusEntry {
  file: string;
  line: number;
  sql: string;
}

export function loadCorpus(prefix: 'pg' | 'mysql' | 'tsql' | 'firebird'): CorpusEntry[] {
  const out: CorpusEntry[] = [];
  for (const file of readdirSync(corpus_dir).filter((f) => f.startsWith(prefix + '_') && f.endsWith('.sql')).sort()) {
    const lines = readFileSync(join(corpus_dir, file), 'utf8').split('\n');
    let buf: string[] = [];
    let start = 0;
    const flush = () => {
      while (buf.length && buf[0].startsWith('--')) {
        buf.shift();
        start++;
      }
      const sql = buf.join('\n').trim();
      if (sql) out.push({ file, line: start + 1, sql });
      buf = [];
    };
    lines.forEach((l, i) => {
      if (l.trim() === '') {
        flush();
        start = i + 1;
      } else buf.push(l);
    });
    flush();
  }
  return out;
}
