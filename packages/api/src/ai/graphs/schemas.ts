/**
 * Request schemas of the workflows, kept free of LangChain so the route definitions can
 * import them without loading it.
 */
import { MESSAGE_CONTENT_MAX } from '@backend/shared/schema';
import { z } from 'zod';

/** How a person answers a pending review: what `POST …/resume` accepts. */
export const resumeCommandSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('approve') }),
  z.strictObject({
    action: z.literal('edit'),
    text: z.string().trim().min(1).max(MESSAGE_CONTENT_MAX),
  }),
  z.strictObject({ action: z.literal('reject'), reason: z.string().trim().max(2_000).optional() }),
]);
export type ResumeCommand = z.infer<typeof resumeCommandSchema>;
