/**
 * Outgoing email behind one interface: written to the log locally, sent through
 * Amazon SES (v2 API) when `EMAIL_PROVIDER=ses`.
 */
import type { Env } from '../../env.ts';
import type { Logger } from '../logger.ts';
import type { EmailSender } from './types.ts';

export type { EmailMessage, EmailSender } from './types.ts';

/** Writes each message to the log, so a developer can follow links from the console. */
export function createLogEmailSender(logger: Logger): EmailSender {
  return {
    kind: 'log',
    async send(message) {
      logger.info('email (not sent: EMAIL_PROVIDER=log)', { email: message });
    },
  };
}

export async function createEmailSender(env: Env, logger: Logger): Promise<EmailSender> {
  if (env.EMAIL_PROVIDER === 'ses') {
    const { createSesEmailSender } = await import('./ses.ts');
    return createSesEmailSender({ from: env.EMAIL_FROM, region: env.AWS_REGION });
  }
  return createLogEmailSender(logger);
}
