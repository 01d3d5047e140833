/**
 * Secrets from AWS Secrets Manager: fetched on first use (at cold start, by the deps),
 * cached for `ttlSeconds` so a rotation is picked up, never logged. A secret that cannot be
 * fetched the first time is an error naming the secret (not its value); a failed refresh
 * keeps the last value and logs it.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Logger } from './logger.ts';

export interface SecretReadOptions {
  /**
   * Read from Secrets Manager now, whatever the cache holds (the cached value is still the
   * answer when that read fails). For credentials a rotation changes under a live process.
   * @default false
   */
  fresh?: boolean;
}

export interface SecretsProvider {
  /** The secret's string value. */
  get(arn: string, options?: SecretReadOptions): Promise<string>;
  /** The secret's value parsed as JSON (RDS and generated secrets are JSON objects). */
  getJson<T>(arn: string, options?: SecretReadOptions): Promise<T>;
}

export class SecretError extends Error {
  override readonly name = 'SecretError';
}

export interface SecretsProviderOptions {
  /** Seconds a value is reused before it is fetched again. @default 300 */
  ttlSeconds?: number;
  /** For tests. @default a client for the function's region, made on first use */
  client?: SecretsManagerClient;
  logger?: Logger;
}

/** The secret's name for messages: the last part of its ARN, never its value. */
export const secretName = (arn: string) =>
  arn
    .split(':')
    .at(-1)
    ?.replace(/-[A-Za-z0-9]{6}$/, '') ?? arn;

export function createSecretsProvider(options: SecretsProviderOptions = {}): SecretsProvider {
  const ttlMs = (options.ttlSeconds ?? 300) * 1000;
  const cached = new Map<string, { value: string; fetchedAt: number }>();
  const pending = new Map<string, Promise<string>>();
  let client = options.client;

  async function fetchSecret(arn: string): Promise<string> {
    // The SDK ships with the Lambda runtime; it stays outside the bundle and loads here.
    const { GetSecretValueCommand, SecretsManagerClient } = await import(
      '@aws-sdk/client-secrets-manager'
    );
    client ??= new SecretsManagerClient({});
    const result = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (typeof result.SecretString !== 'string') {
      throw new SecretError(`Secret ${secretName(arn)} has no string value`);
    }
    return result.SecretString;
  }

  async function get(arn: string, read: SecretReadOptions = {}): Promise<string> {
    const hit = cached.get(arn);
    if (hit && !read.fresh && Date.now() - hit.fetchedAt < ttlMs) return hit.value;
    const inflight = pending.get(arn);
    if (inflight) return inflight;
    const task = fetchSecret(arn)
      .then((value) => {
        cached.set(arn, { value, fetchedAt: Date.now() });
        return value;
      })
      .catch((error: unknown) => {
        const reason = error instanceof Error ? error.name : 'Error';
        if (hit) {
          options.logger?.warn('secret refresh failed; keeping the last value', {
            secret: secretName(arn),
            reason,
          });
          return hit.value;
        }
        throw new SecretError(`Could not read secret ${secretName(arn)} (${reason})`);
      })
      .finally(() => pending.delete(arn));
    pending.set(arn, task);
    return task;
  }

  return {
    get,
    async getJson<T>(arn: string, read?: SecretReadOptions) {
      const value = await get(arn, read);
      try {
        return JSON.parse(value) as T;
      } catch {
        throw new SecretError(`Secret ${secretName(arn)} is not JSON`);
      }
    },
  };
}
