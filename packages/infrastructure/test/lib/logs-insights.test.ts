import { afterEach, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CommittedQueryString,
  LOGS_INSIGHTS_FOLDER,
  readCommittedQueries,
} from '../../src/lib/logs-insights.ts';

const folders: string[] = [];
function folderWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'queries-'));
  folders.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('committed Logs Insights queries', () => {
  test('the repository’s queries all read: a name, what they answer, the query', () => {
    const queries = readCommittedQueries(LOGS_INSIGHTS_FOLDER);
    expect(queries.length).toBeGreaterThanOrEqual(4);
    for (const query of queries) {
      expect(query.description.length).toBeGreaterThan(10);
      expect(query.query).toContain('|');
    }
  });

  test('a query string is kept verbatim, in its own command order', () => {
    const text = '# Errors\nfilter status >= 500\n| fields route\n| limit 5';
    expect(String(new CommittedQueryString(text))).toBe(text);
  });

  test('refuses a missing folder, a file without its comment or query, a bad name', () => {
    expect(() => readCommittedQueries('/nonexistent/queries')).toThrow('does not exist');
    expect(() => readCommittedQueries(folderWith({ 'README.md': 'x' }))).toThrow(
      'No Logs Insights',
    );
    expect(() => readCommittedQueries(folderWith({ 'a.query': 'filter x | limit 1' }))).toThrow(
      'must open with a # comment',
    );
    expect(() => readCommittedQueries(folderWith({ 'a.query': '# only a comment\n' }))).toThrow(
      'holds no query',
    );
    expect(() => readCommittedQueries(folderWith({ 'Bad_Name.query': '# x\nlimit 1' }))).toThrow(
      'kebab-case',
    );
  });
});
