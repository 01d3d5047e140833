/**
 * Secrets from AWS Secrets Manager through Powertools Parameters (`SecretsProvider`, its
 * `maxAge` cache and `transform: 'json'`): fetched on first use (at cold start, by the deps),
 * cached for `ttlSeconds` so a rotation is picked up, never logged. On top of Powertools:
 * a secret that cannot be fetched the first time, or is not the JSON it should be, is an
 * error naming the secret (never its value); a failed refresh keeps the last value and logs
 * it; concurrent first reads share one request.
 */
import type { SecretsProvider as PowertoolsSecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Logger } from './logger.ts';

export interface SecretReadOptions {
  /**
   * Read from Secrets Manager now, whatever the cache holds (the last value is still the
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
  const maxAge = options.ttlSeconds ?? 300;
  /** The last value of each secret, kept for when a refresh fails. */
  const last = new Map<string, unknown>();
  /** One fetch at a time per secret and transform: concurrent readers share it. */
  const pending = new Map<string, Promise<unknown>>();
  let provider: PowertoolsSecretsProvider | undefined;

  async function fetchSecret(
    arn: string,
    transform: 'json' | undefined,
    forceFetch: boolean,
  ): Promise<unknown> {
    // Powertools and the SDK (which ships with the Lambda runtime and stays outside the
    // bundle) load here, on first use: never on a cold start that reads no secret.
    if (!provider) {
      const { SecretsProvider } = await import('@aws-lambda-powertools/parameters/secrets');
      provider = new SecretsProvider(options.client ? { awsSdkV3Client: options.client } : {});
    }
    const value = await provider.get(arn, {
      maxAge,
      forceFetch,
      ...(transform ? { transform } : {}),
    });
    if (transform) return value;
    if (typeof value !== 'string') {
      throw new SecretError(`Secret ${secretName(arn)} has no string value`);
    }
    return value;
  }

  /** Why a fetch failed, for messages: the SDK error's name, never its text or a value. */
  const reasonOf = (error: unknown): string => {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    return cause instanceof Error ? cause.name : 'Error';
  };

  function read(arn: string, transform?: 'json', fresh = false): Promise<unknown> {
    const key = `${arn}\n${transform ?? ''}`;
    const inflight = pending.get(key);
    if (inflight) return inflight;
    const task = fetchSecret(arn, transform, fresh)
      .then((value) => {
        last.set(key, value);
        return value;
      })
      .catch((error: unknown) => {
        if (error instanceof SecretError) throw error;
        // Powertools' own message may quote the value: name the secret, nothing more.
        if (error instanceof Error && error.name === 'TransformParameterError') {
          throw new SecretError(`Secret ${secretName(arn)} is not JSON`);
        }
        const reason = reasonOf(error);
        if (last.has(key)) {
          options.logger?.warn('secret refresh failed; keeping the last value', {
            secret: secretName(arn),
            reason,
          });
          return last.get(key);
        }
        throw new SecretError(`Could not read secret ${secretName(arn)} (${reason})`);
      })
      .finally(() => pending.delete(key));
    pending.set(key, task);
    return task;
  }

  return {
    get: (arn, options) => read(arn, undefined, options?.fresh) as Promise<string>,
    getJson: <T>(arn: string, options?: SecretReadOptions) =>
      read(arn, 'json', options?.fresh) as Promise<T>,
  };
}
