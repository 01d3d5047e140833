import { describe, expect, test } from 'bun:test';
import { tmpdir } from 'node:os';
import { EnvError, parseEnv } from './env.ts';

function issuesOf(input: Record<string, string>) {
  try {
    parseEnv(input);
  } catch (error) {
    if (error instanceof EnvError) return error;
  }
  throw new Error('expected an EnvError');
}

describe('parseEnv', () => {
  test('nothing configured gives the local defaults', () => {
    const env = parseEnv({});
    expect(env.STAGE).toBe('local');
    expect(env.PORT).toBe(3000);
    expect(env.PUBLIC_URL).toBe('http://localhost:3000');
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.REDIS_URL).toBeUndefined();
    expect(env.DATABASE_POOL_MAX).toBe(10);
    expect(env.DATABASE_PREPARE).toBe(true);
  });

  test('empty values count as unset', () => {
    expect(parseEnv({ DATABASE_URL: '', REDIS_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  test('on Lambda the pool is tiny and statements are not prepared', () => {
    const env = parseEnv({ AWS_LAMBDA_FUNCTION_NAME: 'api' });
    expect(env.DATABASE_POOL_MAX).toBe(2);
    expect(env.DATABASE_PREPARE).toBe(false);
  });

  test('off Lambda, metric lines only when asked for (METRICS_STDOUT); on Lambda always, unless silent', () => {
    const disabled = (input: Record<string, string>) => parseEnv(input).POWERTOOLS_METRICS_DISABLED;
    expect(disabled({})).toBe(true);
    expect(disabled({ STAGE: 'local', LOG_LEVEL: 'debug' })).toBe(true);
    expect(disabled({ METRICS_STDOUT: 'true' })).toBe(false);
    expect(disabled({ AWS_LAMBDA_FUNCTION_NAME: 'api' })).toBe(false);
    expect(disabled({ AWS_LAMBDA_FUNCTION_NAME: 'api', METRICS_STDOUT: 'false' })).toBe(true);
    expect(disabled({ AWS_LAMBDA_FUNCTION_NAME: 'api', LOG_LEVEL: 'silent' })).toBe(true);
    expect(disabled({ METRICS_STDOUT: 'true', LOG_LEVEL: 'silent' })).toBe(true);
    // The explicit switch still decides.
    expect(disabled({ POWERTOOLS_METRICS_DISABLED: 'false' })).toBe(false);
  });

  test('a chunk overlap not smaller than the chunk size is refused, naming the variable', () => {
    const error = issuesOf({ FILES_CHUNK_SIZE: '500', FILES_CHUNK_OVERLAP: '500' });
    expect(error.issues.map((issue) => issue.variable)).toEqual(['FILES_CHUNK_OVERLAP']);
    expect(parseEnv({ FILES_CHUNK_SIZE: '500', FILES_CHUNK_OVERLAP: '499' }).FILES_CHUNK_SIZE).toBe(
      500,
    );
  });

  test('a deployed stage refuses the embedded fallbacks, naming each variable', () => {
    const error = issuesOf({ STAGE: 'prod' });
    expect(error.issues.map((issue) => issue.variable).sort()).toEqual([
      'BETTER_AUTH_SECRET',
      'DATABASE_URL',
      'EMAIL_PROVIDER',
      'PUBLIC_URL',
      'REDIS_URL',
    ]);
    expect(error.message).toContain('DATABASE_URL: Required when STAGE=prod');
  });

  test('trusted origins are a comma-separated list of URLs', () => {
    expect(
      parseEnv({ ALLOWED_ORIGINS: 'https://a.example, https://b.example' }).ALLOWED_ORIGINS,
    ).toEqual(['http://localhost:3000', 'https://a.example', 'https://b.example']);
    expect(
      issuesOf({ ALLOWED_ORIGINS: 'https://a.example,not a url' }).issues[0]?.variable,
    ).toContain('ALLOWED_ORIGINS');
  });

  test('a short auth secret is refused', () => {
    expect(issuesOf({ BETTER_AUTH_SECRET: 'short' }).issues[0]?.variable).toBe(
      'BETTER_AUTH_SECRET',
    );
  });

  test('each malformed variable is named', () => {
    const error = issuesOf({ PORT: 'abc', DATABASE_URL: 'mysql://x', STAGE: 'qa' });
    expect(error.issues.map((issue) => issue.variable).sort()).toEqual([
      'DATABASE_URL',
      'PORT',
      'STAGE',
    ]);
  });

  test('a complete production configuration is accepted', () => {
    const env = parseEnv({
      STAGE: 'prod',
      DATABASE_URL: 'postgres://db.internal:5432/app',
      REDIS_URL: 'rediss://cache.internal:6379',
      PUBLIC_URL: 'https://api.example.com',
      BETTER_AUTH_SECRET: 'x'.repeat(64),
      EMAIL_PROVIDER: 'ses',
    });
    expect(env.LOG_LEVEL).toBe('info');
    expect(env.CACHE_PREFIX).toBe('app:prod:');
  });
});

describe('server start-up', () => {
  test('bad configuration stops start-up with the variable named', async () => {
    const proc = Bun.spawn([process.execPath, new URL('./server.ts', import.meta.url).pathname], {
      // Run outside the repository so no .env file is read.
      cwd: tmpdir(),
      env: { STAGE: 'prod', PORT: 'not-a-port' },
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    expect(code).toBe(1);
    expect(stderr).toContain('Invalid configuration');
    expect(stderr).toContain('PORT');
    expect(stderr).toContain('DATABASE_URL: Required when STAGE=prod');
    expect(stderr).not.toContain('    at '); // a message, not a stack trace
  });
});
