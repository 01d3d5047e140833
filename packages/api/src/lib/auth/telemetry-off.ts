/**
 * Stands in for `@better-auth/telemetry` in the Lambda bundle (an esbuild alias, see
 * bundle.ts). Telemetry is switched off in the auth configuration, so the real module is
 * dead weight there (about 10 KB); this one keeps its interface and sends nothing.
 */
export async function createTelemetry(): Promise<{ publish: (event: unknown) => Promise<void> }> {
  return { publish: async () => {} };
}

export function getTelemetryAuthConfig(): Record<string, never> {
  return {};
}
