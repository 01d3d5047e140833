/**
 * How the Lambda function is bundled. The CDK `NodejsFunction`, the bundle test and
 * the benchmark all read these settings, so what is tested is what is deployed.
 *
 * The bundle is split (esbuild `splitting`): `index.mjs` holds the entry, and every module
 * reached only through a dynamic `import()` lands in a chunk under `chunks/` that a cold
 * start loads only when that code runs. "Core" is what a cold start loads for certain:
 * `index.mjs` and every chunk it imports statically, transitively.
 */
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Metafile } from 'esbuild';
import { ASSETS_DIR, installedScalarFile, SCALAR_ASSET } from './lib/docs-assets.ts';

/** The Lambda entry (exports `handler`). */
export const LAMBDA_ENTRY = fileURLToPath(new URL('./index.ts', import.meta.url));

/** The monorepo root, esbuild's working directory (metafile paths are relative to it). */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** `just build` and the CDK bundling hook both run this script (see `lambdaBuildCommand`). */
export const LAMBDA_BUILD_SCRIPT = fileURLToPath(new URL('../scripts/build.ts', import.meta.url));

/**
 * An ESM bundle needs a real `require` for the CommonJS dependencies esbuild wraps
 * (postgres.js and ioredis require `node:` built-ins); without it the bundle fails to
 * load with `Dynamic require of "events" is not supported`. esbuild puts the banner at the
 * top of every output file, chunks included, and each file is a module scope of its own.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/**
 * Modules left out of the bundle:
 * - `@aws-sdk/*` ships with the Lambda Node.js runtime;
 * - PGlite is the embedded (laptop) database, never used where the bundle runs; the app
 *   only reaches it through a dynamic `import()`, which stays lazy when external.
 * - Better Auth's organization plugin (about 100 KB) is reached only by a dynamic `import()`
 *   in the API-key plugin, for keys owned by organizations, which this app does not enable.
 */
export const LAMBDA_EXTERNALS = [
  '@aws-sdk/*',
  '@electric-sql/pglite',
  '@electric-sql/pglite-pgvector',
  'drizzle-orm/pglite',
  'better-auth/plugins/organization',
];

/**
 * Modules swapped for lighter ones at bundle time (esbuild `alias`): Better Auth's telemetry,
 * which this app switches off, becomes a no-op with the same interface.
 */
export const LAMBDA_ALIASES: Record<string, string> = {
  '@better-auth/telemetry': fileURLToPath(new URL('./lib/auth/telemetry-off.ts', import.meta.url)),
};

/**
 * Files inside dependencies replaced at bundle time by stand-ins that export the same names,
 * for code this app never runs and esbuild cannot drop (esbuild `alias` reaches only package
 * paths; these are a package's relative imports):
 * - the SVG logo (about 32 KB) Better Auth's OpenAPI plugin inlines into the reference page it
 *   can serve; the app turns that page off (`disableDefaultReference`) and serves Scalar at
 *   `/docs`, so the logo would only ever be a favicon of a page that answers 404.
 * A stand-in that no longer matches an export fails the build, never the function.
 */
export const LAMBDA_STUBS: ReadonlyArray<{ readonly file: RegExp; readonly contents: string }> = [
  {
    file: /[\\/]node_modules[\\/]better-auth[\\/]dist[\\/]plugins[\\/]open-api[\\/]logo\.mjs$/,
    contents: 'export const logo = "";',
  },
];

/** The entry's output file, which the function's `index.handler` names. */
export const LAMBDA_OUTFILE = 'index.mjs';

/**
 * Where esbuild writes the chunks, relative to the bundle's directory: the chunk's first
 * module, then a hash of its content and source map. The same code built at the same place
 * gets the same names, so an unchanged function keeps its asset hash.
 */
export const LAMBDA_CHUNK_NAMES = 'chunks/[name]-[hash]';

/**
 * esbuild settings, in the words both esbuild and `NodejsFunction` understand. `NodejsFunction`
 * cannot split (it passes `--outfile`, which esbuild refuses with `--splitting`), so the
 * function's `afterBundling` hook rebuilds its asset with these settings (`LAMBDA_COMMAND_HOOKS`).
 */
export const LAMBDA_BUNDLE = {
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minify: true,
  sourcemap: true,
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  externals: LAMBDA_EXTERNALS,
  aliases: LAMBDA_ALIASES,
  splitting: true,
  chunkNames: LAMBDA_CHUNK_NAMES,
} as const;

/** The project's budget for the core of the Lambda bundle (what every cold start loads). */
export const CORE_BUNDLE_BUDGET_BYTES = 1024 * 1024;

/**
 * Modules a cold start must never load: the AI stack (LangChain, LangGraph, LangSmith and the
 * OpenAI client, reached through a dynamic import of the AI runtime) and the X-Ray SDK (loaded
 * only when tracing is on).
 */
export const LAZY_ONLY_MODULES: readonly RegExp[] = [
  /(?:^|\/)node_modules\/@langchain\//,
  /(?:^|\/)node_modules\/langsmith\//,
  /(?:^|\/)node_modules\/openai\//,
  /(?:^|\/)node_modules\/aws-xray-sdk-core\//,
];

/** One JavaScript file of the bundle. */
export interface BundleFile {
  /** Path relative to the bundle's directory, with `/` separators (`chunks/x-HASH.mjs`). */
  path: string;
  bytes: number;
  /** Loaded by every cold start: the entry or a chunk it imports statically, transitively. */
  core: boolean;
}

/** What a bundle weighs, source maps excluded. */
export interface BundleMeasure {
  /** Absolute path of the bundle's `index.mjs`. */
  outfile: string;
  /** Every JavaScript file, the entry first, then by path. */
  files: BundleFile[];
  /** The entry and the chunks it imports statically: what every cold start loads. */
  coreBytes: number;
  /** Chunks reached only through dynamic `import()`. */
  lazyBytes: number;
  totalBytes: number;
}

export interface BundleResult extends BundleMeasure {
  /** Inputs (paths relative to the repository root) bundled into the core files. */
  coreInputs: string[];
  /** Modules left external that a core file imports statically (Node built-ins excepted). */
  coreStaticExternals: string[];
  metafile: Metafile;
}

const BUILTINS = new Set(builtinModules);
const isBuiltin = (specifier: string) => specifier.startsWith('node:') || BUILTINS.has(specifier);

function summarise(
  outfile: string,
  sizes: Map<string, number>,
  coreFiles: Set<string>,
): BundleMeasure {
  const files = [...sizes]
    .map(([path, bytes]) => ({ path, bytes, core: coreFiles.has(path) }))
    .sort((a, b) =>
      a.path === LAMBDA_OUTFILE ? -1 : b.path === LAMBDA_OUTFILE ? 1 : a.path.localeCompare(b.path),
    );
  const sum = (list: BundleFile[]) => list.reduce((total, file) => total + file.bytes, 0);
  return {
    outfile,
    files,
    coreBytes: sum(files.filter((file) => file.core)),
    lazyBytes: sum(files.filter((file) => !file.core)),
    totalBytes: sum(files),
  };
}

/** The files reachable from `start` through `edges`. */
function closure(start: string, edges: (file: string) => string[]): Set<string> {
  const reached = new Set<string>();
  const pending = [start];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (reached.has(file)) continue;
    reached.add(file);
    pending.push(...edges(file));
  }
  return reached;
}

/**
 * Static files the app serves from beside its code, copied into `assets/` (not JavaScript the
 * function loads, so no part of the core or lazy measure): Scalar's standalone bundle for the
 * docs page (lib/docs-assets.ts).
 */
export function lambdaAssets(): Array<{ from: string; to: string }> {
  const scalar = installedScalarFile();
  if (!scalar) throw new Error('@scalar/api-reference is not installed');
  return [{ from: scalar, to: `${ASSETS_DIR}/${SCALAR_ASSET}` }];
}

/**
 * Bundles `entry` exactly as the function is deployed into `outdir`: `index.mjs`, its chunks
 * under `chunks/`, a source map beside each, and the static files under `assets/`. Replaces
 * the files an earlier build left there, and nothing else.
 */
export async function bundleLambda(
  outdir: string,
  entry: string = LAMBDA_ENTRY,
): Promise<BundleResult> {
  const { build } = await import('esbuild');
  const { copyFile, mkdir, rm } = await import('node:fs/promises');
  const { dirname, join, relative, resolve } = await import('node:path');
  const dir = resolve(outdir);
  await Promise.all(
    [LAMBDA_OUTFILE, `${LAMBDA_OUTFILE}.map`, 'chunks', ASSETS_DIR].map((name) =>
      rm(join(dir, name), { recursive: true, force: true }),
    ),
  );
  const result = await build({
    entryPoints: { index: entry },
    outdir: dir,
    absWorkingDir: REPO_ROOT,
    bundle: true,
    splitting: LAMBDA_BUNDLE.splitting,
    chunkNames: LAMBDA_BUNDLE.chunkNames,
    outExtension: { '.js': '.mjs' },
    platform: LAMBDA_BUNDLE.platform,
    format: LAMBDA_BUNDLE.format,
    target: LAMBDA_BUNDLE.target,
    minify: LAMBDA_BUNDLE.minify,
    sourcemap: LAMBDA_BUNDLE.sourcemap,
    mainFields: [...LAMBDA_BUNDLE.mainFields],
    banner: { js: LAMBDA_BUNDLE.banner },
    external: [...LAMBDA_BUNDLE.externals],
    alias: LAMBDA_BUNDLE.aliases,
    plugins: [
      {
        name: 'lambda-stubs',
        setup(stubs) {
          for (const { file, contents } of LAMBDA_STUBS) {
            stubs.onLoad({ filter: file }, () => ({ contents, loader: 'js' }));
          }
        },
      },
    ],
    metafile: true,
    logLevel: 'warning',
  });
  for (const asset of lambdaAssets()) {
    await mkdir(dirname(join(dir, asset.to)), { recursive: true });
    await copyFile(asset.from, join(dir, asset.to));
  }
  const { outputs } = result.metafile;
  // Metafile keys are relative to the working directory; files are named relative to `dir`.
  const name = (key: string) => relative(dir, resolve(REPO_ROOT, key)).split('\\').join('/');
  const keys = Object.keys(outputs).filter((key) => key.endsWith('.mjs'));
  const entryKey = keys.find((key) => name(key) === LAMBDA_OUTFILE);
  if (!entryKey) throw new Error(`esbuild wrote no ${LAMBDA_OUTFILE} into ${dir}`);
  const staticImports = (key: string) =>
    (outputs[key]?.imports ?? []).filter((item) => item.kind === 'import-statement');
  const coreKeys = closure(entryKey, (key) =>
    staticImports(key)
      .filter((item) => !item.external)
      .map((item) => item.path),
  );
  const measure = summarise(
    join(dir, LAMBDA_OUTFILE),
    new Map(keys.map((key) => [name(key), outputs[key]?.bytes ?? 0])),
    new Set([...coreKeys].map(name)),
  );
  return {
    ...measure,
    coreInputs: [...coreKeys].flatMap((key) => Object.keys(outputs[key]?.inputs ?? {})).sort(),
    coreStaticExternals: [
      ...new Set(
        [...coreKeys].flatMap((key) =>
          staticImports(key)
            .filter((item) => item.external && !isBuiltin(item.path))
            .map((item) => item.path),
        ),
      ),
    ].sort(),
    metafile: result.metafile,
  };
}

/**
 * The modules `code` imports statically. esbuild writes every static import of an ESM output
 * file at its top, after the banner, as `import…from"x";` or `import"x";`; reading stops at
 * the first statement that is not one.
 */
export function staticImportsOf(code: string): string[] {
  const statement = /^\s*import(?!\s*[(.])(?:[^"';]*?from)?\s*(["'])([^"']+)\1\s*;?/;
  let rest = code.startsWith(LAMBDA_BUNDLE.banner) ? code.slice(LAMBDA_BUNDLE.banner.length) : code;
  // The banner is skipped whole: its import of `node:module` is followed by a `const`.
  const specifiers = code === rest ? [] : ['node:module'];
  for (let match = statement.exec(rest); match; match = statement.exec(rest)) {
    specifiers.push(match[2] ?? '');
    rest = rest.slice(match[0].length);
  }
  return specifiers;
}

/**
 * Measures a bundle already on disk, such as the function's synthesized asset: follows the
 * static imports of `index.mjs` through the chunks to tell core files from lazy ones.
 */
export async function measureBundle(dir: string): Promise<BundleMeasure> {
  const { readdir, readFile } = await import('node:fs/promises');
  const { dirname, join, posix } = await import('node:path');
  const paths = (await readdir(dir, { recursive: true }))
    .map((path) => path.split('\\').join('/'))
    .filter((path) => path.endsWith('.mjs'));
  const texts = new Map(
    await Promise.all(
      paths.map(async (path) => [path, await readFile(join(dir, path), 'utf8')] as const),
    ),
  );
  if (!texts.has(LAMBDA_OUTFILE)) throw new Error(`${dir} holds no ${LAMBDA_OUTFILE}`);
  const coreFiles = closure(LAMBDA_OUTFILE, (path) =>
    staticImportsOf(texts.get(path) ?? '')
      .filter((specifier) => specifier.startsWith('./') || specifier.startsWith('../'))
      .map((specifier) => posix.normalize(posix.join(dirname(path), specifier))),
  );
  const missing = [...coreFiles].filter((path) => !texts.has(path));
  if (missing.length > 0) throw new Error(`${dir} lacks chunks it imports: ${missing.join(', ')}`);
  return summarise(
    join(dir, LAMBDA_OUTFILE),
    new Map([...texts].map(([path, text]) => [path, Buffer.byteLength(text)])),
    coreFiles,
  );
}

const shellQuote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/**
 * The shell command that builds the split bundle into `outdir` with `scripts/build.ts`, run by
 * the Bun that runs the CDK app (the project's toolchain).
 */
export function lambdaBuildCommand(outdir: string): string {
  const bun = process.versions.bun ? process.execPath : 'bun';
  return [bun, LAMBDA_BUILD_SCRIPT, '--outdir', outdir].map(shellQuote).join(' ');
}

/**
 * `NodejsFunction` command hooks (the shape of aws-cdk-lib's `ICommandHooks`) that replace the
 * single-file `index.mjs` its esbuild run wrote with the split bundle: `index.mjs`, its source
 * map and `chunks/`, all in the function's asset.
 */
export const LAMBDA_COMMAND_HOOKS = {
  beforeBundling: (_inputDir: string, _outputDir: string): string[] => [],
  beforeInstall: (_inputDir: string, _outputDir: string): string[] => [],
  afterBundling: (_inputDir: string, outputDir: string): string[] => [
    lambdaBuildCommand(outputDir),
  ],
};
