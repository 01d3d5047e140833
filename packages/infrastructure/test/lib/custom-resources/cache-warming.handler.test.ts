import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { Redis } from 'ioredis';
import { createCacheWarmingHandler } from '../../../src/lib/custom-resources/cache-warming.handler.ts';
import {
  customResourceEvent,
  type ResponseServer,
  startResponseServer,
} from '../../helpers/cfn-server.ts';
import { testSecrets } from '../../helpers/databases.ts';

const REDIS_URL = process.env.REDIS_URL;

describe.skipIf(!REDIS_URL)('cache warming handler (real Redis)', () => {
  mockClient(SecretsManagerClient);
  let server: ResponseServer;
  const prefix = `infra-test:${randomBytes(4).toString('hex')}:`;
  const url = new URL(REDIS_URL ?? 'redis://127.0.0.1:6379');
  const target = { host: url.hostname, port: Number(url.port || 6379), tls: false };
  const secrets = testSecrets();

  beforeAll(async () => {
    server = await startResponseServer();
  });
  afterAll(async () => {
    const redis = new Redis(REDIS_URL ?? '');
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await server.close();
  });

  test('writes the entries with the prefix and a TTL', async () => {
    const handler = createCacheWarmingHandler({ target, secrets });
    const response = await handler(
      customResourceEvent({
        ResponseURL: server.url,
        ResourceProperties: {
          ServiceToken: 'x',
          Prefix: prefix,
          TtlSeconds: '120',
          Entries: { 'meta:warmed': 'true' },
        },
      }),
    );
    expect(response).toMatchObject({ Status: 'SUCCESS', Data: { Warmed: 1 } });
    const redis = new Redis(REDIS_URL ?? '');
    expect(await redis.get(`${prefix}meta:warmed`)).toBe('true');
    const ttl = await redis.ttl(`${prefix}meta:warmed`);
    redis.disconnect();
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(120);
  });

  test('an unreachable cache does not block the deployment', async () => {
    const handler = createCacheWarmingHandler({ target: { ...target, port: 1 }, secrets });
    const response = await handler(
      customResourceEvent({
        ResponseURL: server.url,
        ResourceProperties: { ServiceToken: 'x', Entries: { a: 'b' } },
      }),
    );
    expect(response).toMatchObject({ Status: 'SUCCESS', Data: { Warmed: 0 } });
  });

  test('malformed entries answer FAILED', async () => {
    const handler = createCacheWarmingHandler({ target, secrets });
    const response = await handler(
      customResourceEvent({
        ResponseURL: server.url,
        ResourceProperties: { ServiceToken: 'x', Entries: { a: 1 } },
      }),
    );
    expect(response.Status).toBe('FAILED');
  });
});
