/**
 * The lazy boundary: core code reaches the AI runtime only through this function, whose
 * `import()` is what keeps LangChain out of the app's static import graph (and, bundled,
 * in a chunk of its own). Import nothing else from ai/ outside it except types.
 */
import type { AppDeps } from '../../lib/app-deps.ts';
import type { AiRuntime } from './runtime.ts';

export async function loadAiRuntime(deps: AppDeps): Promise<AiRuntime> {
  const { getAiRuntime } = await import('./runtime.ts');
  return getAiRuntime(deps);
}
