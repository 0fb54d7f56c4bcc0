// Finding .slt files: explicit files, or every .slt under given folders.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo_root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const postgres_corpus_dir = path.join(repo_root, 'tests', 'slt', 'postgres');

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
