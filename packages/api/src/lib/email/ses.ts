import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { EmailSender } from './types.ts';

export interface SesEmailSenderOptions {
  /** The verified sender address. */
  from: string;
  /** @default the Lambda's region (AWS_REGION) */
  region?: string;
  /** For tests and custom endpoints. @default a client for `region`, made on first send */
  client?: SESv2Client;
}

/**
 * Amazon SES (v2 API). The SDK ships with the Lambda runtime and stays outside the bundle;
 * it is imported on the first send, so a cold start never pays for it.
 */
export function createSesEmailSender(options: SesEmailSenderOptions): EmailSender {
  let sdk: Promise<typeof import('@aws-sdk/client-sesv2')> | undefined;
  let client = options.client;
  return {
    kind: 'ses',
    async send(message) {
      sdk ??= import('@aws-sdk/client-sesv2');
      const { SESv2Client, SendEmailCommand } = await sdk;
      client ??= new SESv2Client({ region: options.region });
      await client.send(
        new SendEmailCommand({
          FromEmailAddress: options.from,
          Destination: { ToAddresses: [message.to] },
          Content: {
            Simple: {
              Subject: { Data: message.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: message.text, Charset: 'UTF-8' } },
            },
          },
        }),
      );
    },
  };
}
