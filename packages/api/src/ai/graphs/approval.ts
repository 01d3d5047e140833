/**
 * The approval workflow: the model drafts a text on a topic; a person approves it, edits it
 * or rejects it (a LangGraph `interrupt`, answered through `POST …/resume`); an approved or
 * edited text is stored as an assistant message in a new chat of the instance's owner.
 * Nothing is stored before the decision, and a rejection stores nothing.
 *
 *   START → write_draft → review ─(approve | edit)→ finalize → END
 *                         └─(reject)──────────→ rejected → END
 */
import { freeText, lineText } from '@backend/shared';
import { CHAT_TITLE_MAX, chats, MESSAGE_CONTENT_MAX, messages } from '@backend/shared/schema';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { Annotation, Command, END, interrupt, START, StateGraph } from '@langchain/langgraph';
import { v5 as uuidv5 } from 'uuid';
import { z } from 'zod';
import { messageText } from '../runtime/tokens.ts';
import { promptTokens, withReservation } from '../usage/budget.ts';
import { type GraphContext, runGraphId, runUserId } from './context.ts';
import { resumeCommandSchema } from './schemas.ts';

export const approvalInputSchema = z.strictObject({
  // The shared text rules, as the chats feature's own routes apply them.
  topic: freeText(2_000).describe('What the draft is about'),
  chatTitle: lineText(CHAT_TITLE_MAX)
    .optional()
    .describe('Title of the chat the approved text is stored in'),
  model: z.string().min(1).max(64).optional().describe('A model name; the default when omitted'),
});

/** How a person answers the review (`POST /api/ai/graphs/{graphId}/resume`). */
export const approvalDecisionSchema = resumeCommandSchema;
export type ApprovalDecision = z.infer<typeof approvalDecisionSchema>;

/** The action a reviewer decides on, in Agent Chat UI's human-in-the-loop shape. */
export const APPROVAL_ACTION = 'publish_draft';

/**
 * What the review interrupt shows the person deciding: the draft and its actions, and the
 * same as Agent Chat UI's human-in-the-loop request (`action_requests`, `review_configs`).
 */
export interface ApprovalRequest {
  kind: 'approval';
  draft: string;
  actions: ReadonlyArray<ApprovalDecision['action']>;
  action_requests: Array<{ name: string; args: { text: string }; description: string }>;
  review_configs: Array<{ action_name: string; allowed_decisions: string[] }>;
}

/** Agent Chat UI's answer to a human-in-the-loop request: one decision per action request. */
const hitlResumeSchema = z.object({
  decisions: z
    .array(
      z.discriminatedUnion('type', [
        z.object({ type: z.literal('approve') }),
        z.object({
          type: z.literal('edit'),
          edited_action: z.object({
            name: z.string().optional(),
            args: z.object({ text: z.string() }).passthrough(),
          }),
        }),
        z.object({ type: z.literal('reject'), message: z.string().optional() }),
      ]),
    )
    .length(1),
});

/** A resume value, as the graph routes (`{action}`) or Agent Chat UI (`{decisions}`) send it. */
export function toApprovalDecision(value: unknown): ApprovalDecision {
  const hitl = hitlResumeSchema.safeParse(value);
  if (!hitl.success) return approvalDecisionSchema.parse(value);
  const [decision] = hitl.data.decisions;
  if (decision?.type === 'edit') {
    return approvalDecisionSchema.parse({ action: 'edit', text: decision.edited_action.args.text });
  }
  if (decision?.type === 'reject') {
    return approvalDecisionSchema.parse({
      action: 'reject',
      ...(decision.message ? { reason: decision.message } : {}),
    });
  }
  return { action: 'approve' };
}

const ApprovalState = Annotation.Root({
  topic: Annotation<string>,
  chatTitle: Annotation<string>,
  model: Annotation<string>,
  draft: Annotation<string | null>,
  decision: Annotation<ApprovalDecision | null>,
  finalText: Annotation<string | null>,
  chatId: Annotation<string | null>,
  messageId: Annotation<string | null>,
  status: Annotation<'drafting' | 'awaiting_approval' | 'approved' | 'rejected'>,
});

/** Fixed namespace for the ids of what an instance stores: a rerun stores nothing twice. */
const STORED_IDS = '6f1c3a52-2f1e-4d8a-9a57-3c1e0b7d9e44';

export function buildApprovalGraph(context: GraphContext) {
  return new StateGraph(ApprovalState)
    .addNode('write_draft', async (state, config) => {
      const userId = runUserId(config);
      const { chatModel } = context.models.resolve(state.model);
      const prompt = [
        new SystemMessage(
          'Write a short, clear draft on the topic the user gives. Answer with the draft only.',
        ),
        new HumanMessage(state.topic),
      ];
      const reply = await withReservation(context.usage, userId, promptTokens(prompt), () =>
        chatModel.invoke(prompt, config),
      );
      return {
        draft: messageText(reply).slice(0, MESSAGE_CONTENT_MAX),
        status: 'awaiting_approval' as const,
      };
    })
    .addNode(
      'review',
      (state) => {
        const draft = state.draft ?? '';
        const request: ApprovalRequest = {
          kind: 'approval',
          draft,
          actions: ['approve', 'edit', 'reject'],
          action_requests: [
            {
              name: APPROVAL_ACTION,
              args: { text: draft },
              description: 'Approve the draft, edit its text, or reject it.',
            },
          ],
          review_configs: [
            { action_name: APPROVAL_ACTION, allowed_decisions: ['approve', 'edit', 'reject'] },
          ],
        };
        const decision = toApprovalDecision(interrupt(request));
        if (decision.action === 'reject') {
          return new Command({ update: { decision, finalText: null }, goto: 'rejected' });
        }
        const finalText = decision.action === 'edit' ? decision.text : (state.draft ?? '');
        return new Command({ update: { decision, finalText }, goto: 'finalize' });
      },
      { ends: ['finalize', 'rejected'] },
    )
    .addNode('finalize', async (state, config) => {
      const userId = runUserId(config);
      const graphId = runGraphId(config);
      const chatId = uuidv5(`${graphId}:chat`, STORED_IDS);
      const messageId = uuidv5(`${graphId}:message`, STORED_IDS);
      // The side effect of approval, in one transaction; a rerun finds the rows already there.
      await context.db.transaction(async (tx) => {
        await tx
          .insert(chats)
          .values({ id: chatId, userId, title: state.chatTitle })
          .onConflictDoNothing();
        await tx
          .insert(messages)
          .values({
            id: messageId,
            chatId,
            userId,
            role: 'assistant',
            content: state.finalText ?? '',
          })
          .onConflictDoNothing();
      });
      return { chatId, messageId, status: 'approved' as const };
    })
    .addNode('rejected', () => ({ status: 'rejected' as const }))
    .addEdge(START, 'write_draft')
    .addEdge('write_draft', 'review')
    .addEdge('finalize', END)
    .addEdge('rejected', END);
}

/** The state an instance starts from. */
export function approvalInitialState(input: z.infer<typeof approvalInputSchema>, model: string) {
  return {
    topic: input.topic,
    chatTitle: (input.chatTitle ?? `Approved: ${input.topic.trim()}`)
      .replace(/\s+/g, ' ')
      .slice(0, CHAT_TITLE_MAX),
    model,
    draft: null,
    decision: null,
    finalText: null,
    chatId: null,
    messageId: null,
    status: 'drafting' as const,
  };
}
