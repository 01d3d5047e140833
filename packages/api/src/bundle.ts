/**
 * How the Lambda function is bundled. The CDK `NodejsFunction`, the bundle test and
 * the benchmark all read these settings, so what is tested is what is deployed.
 */
import { fileURLToPath } from 'node:url';

/** The Lambda entry (exports `handler`). */
export const LAMBDA_ENTRY = fileURLToPath(new URL('./index.ts', import.meta.url));

/**
 * An ESM bundle needs a real `require` for the CommonJS dependencies esbuild wraps
 * (postgres.js and ioredis require `node:` built-ins); without it the bundle fails to
 * load with `Dynamic require of "events" is not supported`.
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

/** esbuild settings, in the words both esbuild and `NodejsFunction` understand. */
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
} as const;

/** The project's budget for the core Lambda bundle. */
export const CORE_BUNDLE_BUDGET_BYTES = 1024 * 1024;

/**
 * The size the bundle is held to until it meets the budget: today's bundle (about 1,168 KiB,
 * see the README's "Bundle size") plus a little room. Tests fail above it, so the bundle
 * cannot quietly grow; lower it as the bundle shrinks.
 */
export const CORE_BUNDLE_CEILING_BYTES = 1_200 * 1024;

export interface BundleResult {
  /** Absolute path of the bundled `index.mjs`. */
  outfile: string;
  /** Size of the bundled JavaScript in bytes (source map excluded). */
  bytes: number;
}

/**
 * Bundles `entry` exactly as the function is deployed and writes `index.mjs` (and its
 * source map) into `outdir`.
 */
export async function bundleLambda(
  outdir: string,
  entry: string = LAMBDA_ENTRY,
): Promise<BundleResult> {
  const { build } = await import('esbuild');
  const outfile = `${outdir}/index.mjs`;
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: LAMBDA_BUNDLE.platform,
    format: LAMBDA_BUNDLE.format,
    target: LAMBDA_BUNDLE.target,
    minify: LAMBDA_BUNDLE.minify,
    sourcemap: LAMBDA_BUNDLE.sourcemap,
    mainFields: [...LAMBDA_BUNDLE.mainFields],
    banner: { js: LAMBDA_BUNDLE.banner },
    external: [...LAMBDA_BUNDLE.externals],
    alias: LAMBDA_BUNDLE.aliases,
    metafile: true,
    logLevel: 'warning',
  });
  const output =
    result.metafile.outputs[
      Object.keys(result.metafile.outputs).find((key) => key.endsWith('index.mjs')) ?? ''
    ];
  return { outfile, bytes: output?.bytes ?? 0 };
}
