/** A local HTTP server standing in for the pre-signed S3 URL CloudFormation gives. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import fixture from '../fixtures/cloudformation-custom-resource-request.json' with { type: 'json' };

export interface ReceivedResponse {
  readonly method: string;
  readonly contentType: string | undefined;
  readonly body: Record<string, unknown>;
}

export interface ResponseServer {
  readonly url: string;
  readonly received: ReceivedResponse[];
  close(): Promise<void>;
}

export async function startResponseServer(): Promise<ResponseServer> {
  const received: ReceivedResponse[] = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (chunk: Buffer) => {
      data += chunk.toString();
    });
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        contentType: req.headers['content-type'],
        body: JSON.parse(data) as Record<string, unknown>,
      });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/response`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The fixture event, with a response URL and properties for the case under test. */
export function customResourceEvent(
  overrides: Partial<CloudFormationCustomResourceEvent> & { ResponseURL: string },
): CloudFormationCustomResourceEvent {
  return {
    ...fixture,
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:test',
    ...overrides,
  } as CloudFormationCustomResourceEvent;
}
