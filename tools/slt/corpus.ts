// Finding .slt files: explicit files, or every .slt under given folders.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo_root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const postgres_corpus_dir = path.join(repo_root, 'tests', 'slt', 'postgres');
/** ScratchBird's own records (tests/slt/sb): behaviour this project decided, every record must pass on the engine. */
export const sb_corpus_dir = path.join(repo_root, 'tests', 'slt', 'sb');
/**
 * The PostgreSQL release the corpus was validated against: the embedded
 * target reports it (server_version) so records on version() and
 * server_version_num hold, while the engine's own default stays 16.0.
 */
export const corpus_pg_version = '15.18';

/** Expands folders to their .slt files (sorted); files are kept as given. */
export function collectSltFiles(inputs: string[]): string[] {
  const out: string[] = [];
  for (const input of inputs) {
    const stat = fs.statSync(input);
    if (stat.isDirectory()) {
      const walk = (dir: string) => {
        for (const name of fs.readdirSync(dir).sort()) {
          const full = path.join(dir, name);
          if (fs.statSync(full).isDirectory()) walk(full);
          else if (name.endsWith('.slt')) out.push(full);
        }
      };
      walk(input);
    } else {
      out.push(input);
    }
  }
  return out;
}
