/** The current-time tool: now, in UTC or in a named IANA time zone. */
import { tool } from '@langchain/core/tools';
import { z } from 'zod';

/** Now in `timezone` (IANA name, default UTC), or an error message for an unknown zone. */
export function currentTime(now: Date, timezone = 'UTC'): string {
  let formatted: string;
  try {
    formatted = new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      dateStyle: 'full',
      timeStyle: 'long',
    }).format(now);
  } catch {
    return `Error: unknown time zone "${timezone}"`;
  }
  return `${formatted} (ISO 8601 UTC: ${now.toISOString()})`;
}

export interface CurrentTimeToolOptions {
  /** The clock. @default () => new Date() */
  now?: () => Date;
}

export function createCurrentTimeTool(options: CurrentTimeToolOptions = {}) {
  const now = options.now ?? (() => new Date());
  return tool(async ({ timezone }) => currentTime(now(), timezone ?? 'UTC'), {
    name: 'current_time',
    description: 'The current date and time, in UTC or in an IANA time zone such as Europe/Paris.',
    schema: z.object({
      timezone: z.string().max(64).optional().describe('An IANA time zone; UTC when omitted'),
    }),
  });
}
