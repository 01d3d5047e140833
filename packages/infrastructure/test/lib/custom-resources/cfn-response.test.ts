import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import {
  createCustomResourceHandler,
  sendCfnResponse,
} from '../../../src/lib/custom-resources/cfn-response.ts';
import {
  customResourceEvent,
  type ResponseServer,
  startResponseServer,
} from '../../helpers/cfn-server.ts';

describe('custom resource protocol', () => {
  let server: ResponseServer;
  beforeAll(async () => {
    server = await startResponseServer();
  });
  afterAll(() => server.close());

  test('PUTs SUCCESS with data and no content type to the response URL', async () => {
    const handler = createCustomResourceHandler({
      physicalResourceId: 'fixed-id',
      onCreateOrUpdate: async () => ({ data: { Answer: 42 } }),
    });
    await handler(customResourceEvent({ ResponseURL: server.url }));
    const last = server.received.at(-1);
    expect(last?.method).toBe('PUT');
    expect(last?.contentType ?? '').toBe('');
    expect(last?.body).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'fixed-id',
      RequestId: 'unique id for this create request',
      LogicalResourceId: 'MyTestResource',
      Data: { Answer: 42 },
    });
  });

  test('answers FAILED with the error as reason when the work throws', async () => {
    const handler = createCustomResourceHandler({
      physicalResourceId: 'fixed-id',
      onCreateOrUpdate: async () => {
        throw new Error('boom');
      },
    });
    const response = await handler(customResourceEvent({ ResponseURL: server.url }));
    expect(response.Status).toBe('FAILED');
    expect(server.received.at(-1)?.body).toMatchObject({ Status: 'FAILED', Reason: 'boom' });
  });

  test('answers FAILED before the Lambda timeout instead of leaving CloudFormation waiting', async () => {
    const handler = createCustomResourceHandler({
      physicalResourceId: 'fixed-id',
      timeoutMarginMs: 0,
      onCreateOrUpdate: () => new Promise(() => {}),
    });
    const response = await handler(customResourceEvent({ ResponseURL: server.url }), {
      getRemainingTimeInMillis: () => 50,
    });
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain('Timed out');
  });

  test('Delete keeps the physical id and does not run the create work', async () => {
    let ran = false;
    const handler = createCustomResourceHandler({
      physicalResourceId: 'fixed-id',
      onCreateOrUpdate: async () => {
        ran = true;
        return {};
      },
    });
    const response = await handler(
      customResourceEvent({
        ResponseURL: server.url,
        RequestType: 'Delete',
        PhysicalResourceId: 'existing-id',
      } as never),
    );
    expect(ran).toBe(false);
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'existing-id' });
  });

  test('sendCfnResponse rejects when the URL refuses the response', async () => {
    await expect(
      sendCfnResponse('http://127.0.0.1:1/unreachable', {
        Status: 'SUCCESS',
        PhysicalResourceId: 'x',
        StackId: 's',
        RequestId: 'r',
        LogicalResourceId: 'l',
      }),
    ).rejects.toThrow();
  });
});
