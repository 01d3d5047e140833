/**
 * Request schemas of the workflows, kept free of LangChain so the route definitions can
 * import them without loading it.
 */
import { freeText } from '@backend/shared';
import { MESSAGE_CONTENT_MAX } from '@backend/shared/schema';
import { z } from 'zod';

/**
 * How a person answers a pending review: what `POST …/resume` accepts. Texts follow the
 * shared text rules (NFC, no control characters but newline and tab), as chat messages do.
 */
export const resumeCommandSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('approve') }),
  z.strictObject({
    action: z.literal('edit'),
    text: freeText(MESSAGE_CONTENT_MAX),
  }),
  z.strictObject({ action: z.literal('reject'), reason: freeText(2_000).optional() }),
]);
export type ResumeCommand = z.infer<typeof resumeCommandSchema>;
