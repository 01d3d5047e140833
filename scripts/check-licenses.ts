#!/usr/bin/env bun
/**
 * Fails when an installed package's license is not on the allow list.
 *
 * Reads the `license` (or legacy `licenses`) field of every package under node_modules,
 * nested ones included, as `bun install` laid them out from bun.lock. SPDX expressions are
 * evaluated: `A OR B` passes when either side is allowed, `A AND B` only when both are.
 * A package with no license field, `UNLICENSED` or `SEE LICENSE IN …` fails unless it is
 * listed in EXCEPTIONS with a reason. The workspace's own packages are skipped.
 *
 * Usage: bun scripts/check-licenses.ts [--summary]
 */
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Permissive licenses, and MPL-2.0 (file-level copyleft: using it unmodified is fine). */
const ALLOWED = new Set([
  '0BSD',
  'Apache-2.0',
  'BlueOak-1.0.0',
  'BSD-2-Clause',
  'BSD-3-Clause',
  'CC-BY-3.0',
  'CC-BY-4.0',
  'CC0-1.0',
  'ISC',
  'MIT',
  'MIT-0',
  'MPL-2.0',
  'Python-2.0',
  'Unlicense',
  'Zlib',
]);

/** `name@version` → why it is accepted although its metadata does not pass. */
const EXCEPTIONS: Readonly<Record<string, string>> = {};

interface Finding {
  readonly id: string;
  readonly path: string;
  readonly license: string;
}

const root = join(import.meta.dir, '..');

function licenseOf(manifest: Record<string, unknown>): string {
  const { license, licenses } = manifest;
  if (typeof license === 'string') return license;
  if (license && typeof license === 'object' && 'type' in license) return String(license.type);
  if (Array.isArray(licenses)) {
    const types = licenses.map((entry) =>
      typeof entry === 'string' ? entry : String((entry as { type?: unknown }).type),
    );
    return types.length > 1 ? `(${types.join(' OR ')})` : (types[0] ?? '');
  }
  return '';
}

/** Evaluates an SPDX expression against ALLOWED (WITH exceptions keep the base license). */
function isAllowed(expression: string): boolean {
  const tokens = expression
    .replace(/[()]/g, (p) => ` ${p} `)
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  let position = 0;
  const parseOr = (): boolean => {
    let value = parseAnd();
    while (tokens[position]?.toUpperCase() === 'OR') {
      position += 1;
      const right = parseAnd();
      value = value || right;
    }
    return value;
  };
  const parseAnd = (): boolean => {
    let value = parseAtom();
    while (tokens[position]?.toUpperCase() === 'AND') {
      position += 1;
      const right = parseAtom();
      value = value && right;
    }
    return value;
  };
  const parseAtom = (): boolean => {
    const token = tokens[position];
    position += 1;
    if (token === '(') {
      const value = parseOr();
      position += 1; // ')'
      return value;
    }
    if (tokens[position]?.toUpperCase() === 'WITH') position += 2;
    return token !== undefined && ALLOWED.has(token.replace(/\+$/, ''));
  };
  if (tokens.length === 0) return false;
  const result = parseOr();
  return result && position === tokens.length;
}

function* packageDirs(nodeModules: string): Generator<string> {
  if (!existsSync(nodeModules)) return;
  for (const entry of readdirSync(nodeModules)) {
    if (entry.startsWith('.')) continue;
    const path = join(nodeModules, entry);
    if (entry.startsWith('@')) {
      for (const scoped of readdirSync(path)) yield join(path, scoped);
    } else {
      yield path;
    }
  }
}

function scan(nodeModules: string, findings: Finding[], seen: Map<string, string>): void {
  for (const dir of packageDirs(nodeModules)) {
    // Workspace packages are symlinks into packages/: they are this project, not dependencies.
    if (lstatSync(dir).isSymbolicLink()) continue;
    const manifestPath = join(dir, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
    const id = `${String(manifest.name)}@${String(manifest.version)}`;
    const license = licenseOf(manifest);
    seen.set(id, license || '(none)');
    if (!isAllowed(license) && !(id in EXCEPTIONS)) {
      findings.push({ id, path: relative(root, dir), license: license || '(none)' });
    }
    scan(join(dir, 'node_modules'), findings, seen);
  }
}

const findings: Finding[] = [];
const seen = new Map<string, string>();
scan(join(root, 'node_modules'), findings, seen);

if (seen.size === 0) {
  console.error('No installed package found under node_modules: run `bun install` first.');
  process.exit(1);
}
if (process.argv.includes('--summary')) {
  const counts = new Map<string, number>();
  for (const license of seen.values()) counts.set(license, (counts.get(license) ?? 0) + 1);
  for (const [license, count] of [...counts].sort((a, b) => b[1] - a[1])) {
    console.log(`${String(count).padStart(5)}  ${license}`);
  }
}
if (findings.length > 0) {
  console.error(`${findings.length} package(s) with a license outside the allow list:`);
  for (const finding of findings) {
    console.error(`  ${finding.id}  ${finding.license}  (${finding.path})`);
  }
  console.error(
    'Replace the package, or add it to EXCEPTIONS in scripts/check-licenses.ts with a reason.',
  );
  process.exit(1);
}
console.log(`Licenses: ${seen.size} installed packages, all on the allow list.`);
