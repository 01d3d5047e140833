import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { EmailSender } from './index.ts';

export interface SesEmailSenderOptions {
  /** The verified sender address. */
  from: string;
  /** @default the Lambda's region (AWS_REGION) */
  region?: string;
  /** For tests and custom endpoints. @default a client for `region` */
  client?: SESv2Client;
}

export function createSesEmailSender(options: SesEmailSenderOptions): EmailSender {
  const client = options.client ?? new SESv2Client({ region: options.region });
  return {
    kind: 'ses',
    async send(message) {
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
