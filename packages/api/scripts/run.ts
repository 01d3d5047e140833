/**
 * Shared start-up for operator scripts: validated configuration, a clear message and
 * exit code 1 on bad input instead of a stack trace.
 */
import { type Env, EnvError, loadEnv } from '../src/env.ts';

export class ScriptError extends Error {}

export async function runScript(main: (env: Env, args: string[]) => Promise<void>) {
  try {
    await main(loadEnv(), process.argv.slice(2));
  } catch (error) {
    if (error instanceof EnvError || error instanceof ScriptError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
