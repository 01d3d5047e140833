/** The email contract: what the log and SES senders provide. */

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface EmailSender {
  readonly kind: 'log' | 'ses';
  send(message: EmailMessage): Promise<void>;
}
