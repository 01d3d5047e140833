/** Running a command in a child process, for tests of scripts and of a clean module graph. */

export interface ChildResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs `command` with `env` added to this process's environment; resolves when it exits. */
export async function runChild(
  command: string[],
  env: Record<string, string> = {},
): Promise<ChildResult> {
  const child = Bun.spawn(command, {
    env: { ...process.env, ...env },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { stdout, stderr, code };
}

/** This test run's own Bun, whether or not `bun` is on the PATH. */
export const BUN = process.execPath;
