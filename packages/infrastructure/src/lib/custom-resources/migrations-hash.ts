import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? listFiles(path) : [path];
    });
}

/**
 * A digest of every file of a migrations folder: passed as a custom-resource property, it
 * changes (and so re-runs the migration resource) exactly when a migration is added.
 */
export function hashMigrations(folder: string): string {
  if (!existsSync(join(folder, 'meta', '_journal.json'))) {
    throw new Error(`${folder} is not a drizzle-kit migrations folder (no meta/_journal.json)`);
  }
  const hash = createHash('sha256');
  for (const file of listFiles(folder)) {
    hash.update(relative(folder, file));
    hash.update(readFileSync(file));
  }
  return hash.digest('hex');
}
