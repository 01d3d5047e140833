/**
 * Deploy-time handlers fail fast: their configuration is read inside the error handling, so
 * a handler that cannot start answers FAILED at once (CloudFormation would otherwise wait for
 * the resource's service timeout), and their functions never retry.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { STAGE_NAMES } from '../../../src/config.ts';
import { handler as cacheWarmingEntry } from '../../../src/lib/custom-resources/cache-warming.handler.ts';
import { lazyCustomResourceHandler } from '../../../src/lib/custom-resources/cfn-response.ts';
import { handler as migrationEntry } from '../../../src/lib/custom-resources/database-migration.handler.ts';
import { handler as seedEntry } from '../../../src/lib/custom-resources/seed-data.handler.ts';
import {
  customResourceEvent,
  type ResponseServer,
  startResponseServer,
} from '../../helpers/cfn-server.ts';
import { stageApp, template } from '../../helpers/synth.ts';

const CONFIG_KEYS = [
  'DATABASE_HOST',
  'DATABASE_NAME',
  'DATABASE_SECRET_ARN',
  'REDIS_HOST',
  'REDIS_PORT',
] as const;

describe('handlers that cannot read their configuration', () => {
  let server: ResponseServer;
  const saved: Partial<Record<string, string>> = {};
  beforeAll(async () => {
    server = await startResponseServer();
    for (const key of CONFIG_KEYS) {
      saved[key] = process.env[key];
      delete process.env[key];
    }
  });
  afterAll(async () => {
    for (const key of CONFIG_KEYS) if (saved[key] !== undefined) process.env[key] = saved[key];
    await server.close();
  });

  test.each([
    ['migration', migrationEntry, 'DATABASE_HOST'],
    ['seed', seedEntry, 'DATABASE_HOST'],
    ['cache warming', cacheWarmingEntry, 'REDIS_HOST'],
  ] as const)('the %s entry answers FAILED at once, naming the setting', async (_, entry, key) => {
    const before = server.received.length;
    const started = Date.now();
    const response = await entry(customResourceEvent({ ResponseURL: server.url }));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(response.Status).toBe('FAILED');
    expect(server.received.length).toBe(before + 1);
    expect(server.received.at(-1)?.body).toMatchObject({ Status: 'FAILED' });
    expect(String(server.received.at(-1)?.body.Reason)).toContain(key);
  });

  test('a Delete still succeeds, so a stack whose handler cannot start rolls back and deletes', async () => {
    const event = {
      ...customResourceEvent({ ResponseURL: server.url }),
      RequestType: 'Delete',
      PhysicalResourceId: 'database-migrations',
    } as CloudFormationCustomResourceEvent;
    const response = await migrationEntry(event);
    expect(response.Status).toBe('SUCCESS');
    expect(server.received.at(-1)?.body).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'database-migrations',
    });
  });

  test('a handler that builds is built once and reused', async () => {
    let builds = 0;
    const entry = lazyCustomResourceHandler('fixed-id', () => {
      builds += 1;
      return async (event) => ({
        Status: 'SUCCESS',
        PhysicalResourceId: 'fixed-id',
        StackId: event.StackId,
        RequestId: event.RequestId,
        LogicalResourceId: event.LogicalResourceId,
      });
    });
    await entry(customResourceEvent({ ResponseURL: server.url }));
    await entry(customResourceEvent({ ResponseURL: server.url }));
    expect(builds).toBe(1);
  });
});

describe.each(STAGE_NAMES)('deploy-time resources in %s', (stage) => {
  const jobs = () => {
    const { database, cache } = stageApp(stage).stacks;
    return [
      [template(database), 'Custom::DatabaseMigration'],
      ...(database.seed ? [[template(database), 'Custom::SeedData'] as const] : []),
      ...(cache.warming ? [[template(cache), 'Custom::CacheWarming'] as const] : []),
    ] as const;
  };

  test('CloudFormation waits at most the handler’s timeout plus 30 s (serviceTimeout), never an hour', () => {
    for (const [t, type] of jobs()) {
      const resources = Object.values(t.findResources(type));
      expect(resources).toHaveLength(1);
      const { ServiceTimeout, ServiceToken } = resources[0]?.Properties ?? {};
      const functionId = ServiceToken['Fn::GetAtt'][0];
      const timeout = t.toJSON().Resources[functionId].Properties.Timeout;
      expect(Number(ServiceTimeout)).toBe(timeout + 30);
      expect(Number(ServiceTimeout)).toBeLessThan(3600);
    }
  });

  test('their functions never retry an asynchronous invocation', () => {
    for (const [t, type] of jobs()) {
      const [resource] = Object.values(t.findResources(type));
      const functionId = resource?.Properties.ServiceToken['Fn::GetAtt'][0];
      const configs = Object.values(t.findResources('AWS::Lambda::EventInvokeConfig')).filter(
        (c) => c.Properties.FunctionName.Ref === functionId,
      );
      expect(configs).toHaveLength(1);
      expect(configs[0]?.Properties.MaximumRetryAttempts).toBe(0);
    }
  });
});
