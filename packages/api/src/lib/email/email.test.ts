import { describe, expect, test } from 'bun:test';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { captureLogs } from '../../../test/test-deps.ts';
import { parseEnv } from '../../env.ts';
import { createEmailSender, createLogEmailSender } from './index.ts';
import { createSesEmailSender } from './ses.ts';

const message = {
  to: 'ada@example.com',
  subject: 'Verify',
  text: 'Open https://x.example/v?token=abc',
};

describe('email senders', () => {
  test('locally the message is written to the log', async () => {
    const { logger, lines } = captureLogs();
    await createLogEmailSender(logger).send(message);
    expect(lines[0]).toMatchObject({ email: message });
  });

  test('EMAIL_PROVIDER picks the sender', async () => {
    const { logger } = captureLogs();
    expect((await createEmailSender(parseEnv({}), logger)).kind).toBe('log');
    const ses = await createEmailSender(
      parseEnv({ EMAIL_PROVIDER: 'ses', AWS_REGION: 'eu-west-1' }),
      logger,
    );
    expect(ses.kind).toBe('ses');
  });

  test('SES v2 receives the sender, recipient, subject and text', async () => {
    const ses = mockClient(SESv2Client);
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    const client = new SESv2Client({ region: 'eu-west-1' });
    await createSesEmailSender({ from: 'no-reply@example.com', client }).send(message);
    const calls = ses.commandCalls(SendEmailCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      FromEmailAddress: 'no-reply@example.com',
      Destination: { ToAddresses: ['ada@example.com'] },
      Content: {
        Simple: {
          Subject: { Data: 'Verify', Charset: 'UTF-8' },
          Body: { Text: { Data: message.text, Charset: 'UTF-8' } },
        },
      },
    });
    ses.restore();
  });

  test('an SES failure reaches the caller', async () => {
    const ses = mockClient(SESv2Client);
    ses.on(SendEmailCommand).rejects(new Error('MessageRejected'));
    const sender = createSesEmailSender({
      from: 'no-reply@example.com',
      client: new SESv2Client({ region: 'eu-west-1' }),
    });
    await expect(sender.send(message)).rejects.toThrow('MessageRejected');
    ses.restore();
  });
});
