/**
 * The import rules of the repository (`bun run deps:check`; CI and the pre-commit hook run
 * it). Imports point down: entry points → app → features (routes/, ai/) → middleware →
 * lib (shared infrastructure) → packages/shared. See docs/architecture.md.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle is a design bug: split the shared part into a module both import.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'lib-imports-down-only',
      severity: 'error',
      comment:
        'lib/ is shared infrastructure: it imports no feature (routes/, ai/), no middleware and not the app.',
      // Tests may build the whole app to exercise a module through it.
      from: { path: '^packages/api/src/lib/', pathNot: '\\.test\\.ts$' },
      to: {
        path: [
          '^packages/api/src/(routes|ai|middleware)/',
          '^packages/api/src/(app|deps|index|server|bundle)\\.ts$',
        ],
      },
    },
    {
      name: 'middleware-imports-no-feature',
      severity: 'error',
      comment:
        'Middleware sits below the features: it imports no route, no AI module, not the app.',
      from: { path: '^packages/api/src/middleware/', pathNot: '\\.test\\.ts$' },
      to: {
        path: [
          '^packages/api/src/(routes|ai)/',
          '^packages/api/src/(app|deps|index|server|bundle)\\.ts$',
        ],
      },
    },
    {
      name: 'infrastructure-reaches-api-through-entry-points',
      severity: 'error',
      comment:
        'The CDK app uses the API only through @backend/api/bundle and @backend/api/secrets (tests may also read @backend/api/env).',
      from: { path: '^packages/infrastructure/(src|bin|scripts)/' },
      to: {
        path: '^packages/api/',
        pathNot: '^packages/api/src/(bundle\\.ts|lib/secrets\\.ts)$',
      },
    },
    {
      name: 'infrastructure-tests-reach-api-through-entry-points',
      severity: 'error',
      comment:
        'Infrastructure tests use the API through its bundle, secrets and env entry points, and read its error codes (the edge answers in the same shape).',
      from: { path: '^packages/infrastructure/test/' },
      to: {
        path: '^packages/api/',
        pathNot: '^packages/api/src/(bundle\\.ts|env\\.ts|lib/secrets\\.ts|lib/errors\\.ts)$',
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|cdk\\.out|\\.data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mjs', '.js', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
