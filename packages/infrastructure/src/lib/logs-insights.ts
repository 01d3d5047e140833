/**
 * The committed CloudWatch Logs Insights queries (`ops/logs-insights/<name>.query`, each
 * opening with a `#` comment that says what it answers), read at synth time so the saved
 * queries in the console are exactly the files in the repository.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QueryString } from 'aws-cdk-lib/aws-logs';
import { REPO_ROOT } from './constructs/secure-lambda.ts';

/** Where the queries live. */
export const LOGS_INSIGHTS_FOLDER = join(REPO_ROOT, 'ops', 'logs-insights');

export interface CommittedQuery {
  /** The file name without `.query`, e.g. `slowest-routes`. */
  readonly name: string;
  /** The opening comment, without its `#`. */
  readonly description: string;
  /** The whole file: Logs Insights ignores the `#` comment lines. */
  readonly query: string;
}

/**
 * Every `<name>.query` of `folder`, by name. A missing or empty folder, a name that is not
 * kebab-case, a file that does not open with a `#` comment or has no query are errors.
 */
export function readCommittedQueries(folder: string = LOGS_INSIGHTS_FOLDER): CommittedQuery[] {
  if (!existsSync(folder)) throw new Error(`No Logs Insights queries: ${folder} does not exist`);
  const files = readdirSync(folder)
    .filter((file) => file.endsWith('.query'))
    .sort();
  if (files.length === 0) throw new Error(`No Logs Insights queries in ${folder}`);
  return files.map((file) => {
    const name = file.slice(0, -'.query'.length);
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name)) {
      throw new Error(`Query file ${file}: the name must be kebab-case`);
    }
    const query = readFileSync(join(folder, file), 'utf8').trim();
    const [first = '', ...rest] = query.split('\n');
    if (!first.startsWith('#')) {
      throw new Error(`Query file ${file} must open with a # comment saying what it answers`);
    }
    if (!rest.some((line) => line.trim() !== '' && !line.trim().startsWith('#'))) {
      throw new Error(`Query file ${file} holds no query`);
    }
    return { name, description: first.replace(/^#\s*/, ''), query };
  });
}

/**
 * A query string taken verbatim from a file. `QueryString` builds its text from parts in a
 * fixed order (fields, parse, filter, stats, …); a committed query keeps its own order.
 */
export class CommittedQueryString extends QueryString {
  constructor(private readonly text: string) {
    super();
  }

  override toString(): string {
    return this.text;
  }
}
