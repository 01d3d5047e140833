/**
 * The plan-and-execute workflow: a goal is split into steps (or the steps are given); each
 * step is routed by kind — arithmetic to the calculator, anything else to the model — and
 * all steps run in parallel (one `Send` per step); a summary joins their results in order.
 *
 *   START → plan ─(no steps)──────────────────────────→ summarize → END
 *                └─(per step, in parallel) calculate ─┐
 *                                          research  ─┴→ summarize → END
 *
 * `research` carries a retry policy: a transient failure (a provider's 429/5xx, a timeout,
 * a TransientStepError) is retried up to 3 attempts with backoff. `simulateFailures` makes
 * each research step fail transiently that many times first, to watch the policy work.
 */

import { freeText, lineText } from '@backend/shared';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import {
  Annotation,
  END,
  type LangGraphRunnableConfig,
  type RetryPolicy,
  Send,
  START,
  StateGraph,
} from '@langchain/langgraph';
import { z } from 'zod';
import { messageText } from '../runtime/tokens.ts';
import { CalculatorError, evaluate, findExpression, formatNumber } from '../tools/calculator.ts';
import { promptTokens, withReservation } from '../usage/budget.ts';
import { type GraphContext, runGraphId, runUserId } from './context.ts';

export const PLAN_STEPS_MAX = 8;

export const planExecuteInputSchema = z.strictObject({
  // The shared text rules, as every stored text follows them.
  goal: freeText(2_000).describe('What to do; split into steps by line, ";" or "then"'),
  steps: z
    .array(lineText(500))
    .min(1)
    .max(PLAN_STEPS_MAX)
    .optional()
    .describe('The steps, instead of splitting the goal'),
  model: z.string().min(1).max(64).optional().describe('A model name; the default when omitted'),
  simulateFailures: z
    .number()
    .int()
    .min(0)
    .max(2)
    .optional()
    .describe(
      'Transient failures of each research step before it succeeds (shows the retry policy)',
    ),
});

export type StepKind = 'calculate' | 'research';

export interface PlanStep {
  index: number;
  text: string;
  kind: StepKind;
}

export interface StepResult {
  index: number;
  kind: StepKind;
  output: string;
  /** Attempts the step took (more than one when the retry policy stepped in). */
  attempts: number;
}

/** A failure worth retrying. */
export class TransientStepError extends Error {
  override readonly name = 'TransientStepError';
}

/** The steps of `goal`: by line, `;`, or "then"; at most PLAN_STEPS_MAX. */
export function splitGoal(goal: string): string[] {
  return goal
    .split(/\n|;|,?\s+\bthen\b\s+/i)
    .map((part) => part.trim().replace(/[.\s]+$/, ''))
    .filter(Boolean)
    .slice(0, PLAN_STEPS_MAX);
}

export const stepKind = (text: string): StepKind =>
  findExpression(text) !== null ? 'calculate' : 'research';

const PlanState = Annotation.Root({
  goal: Annotation<string>,
  model: Annotation<string>,
  givenSteps: Annotation<string[] | null>,
  simulateFailures: Annotation<number>,
  steps: Annotation<PlanStep[]>,
  results: Annotation<StepResult[]>({
    // Parallel branches each add their result; order is restored by index.
    reducer: (left, right) => [...left, ...right].sort((a, b) => a.index - b.index),
    default: () => [],
  }),
  summary: Annotation<string | null>,
});
type PlanStateValue = typeof PlanState.State;

/** What each parallel branch receives. */
interface StepTask {
  step: PlanStep;
  model: string;
  simulateFailures: number;
}

/** Transient: a provider's 408/409/429/5xx, a network failure or timeout, or TransientStepError. */
export function isTransient(error: unknown): boolean {
  if (error instanceof TransientStepError) return true;
  if (!(error instanceof Error)) return false;
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number') return [408, 409, 429].includes(status) || status >= 500;
  return /timeout|timed out|ECONNRESET|ECONNREFUSED|fetch failed|network/i.test(
    `${error.name} ${error.message}`,
  );
}

export const RESEARCH_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 3,
  initialInterval: 50,
  backoffFactor: 2,
  maxInterval: 1_000,
  jitter: false,
  retryOn: isTransient,
  logWarning: false,
};

export function buildPlanExecuteGraph(context: GraphContext) {
  // Attempts per running step, by graph instance and step; cleared when the step ends.
  const attempts = new Map<string, number>();

  const research = async (task: StepTask, config: LangGraphRunnableConfig) => {
    const key = `${runGraphId(config)}:${task.step.index}`;
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    if (attempt <= task.simulateFailures) {
      throw new TransientStepError(`Step ${task.step.index + 1} failed (attempt ${attempt})`);
    }
    try {
      const userId = runUserId(config);
      const { chatModel } = context.models.resolve(task.model);
      const prompt = [
        new SystemMessage('Carry out this one step of a plan and answer briefly.'),
        new HumanMessage(task.step.text),
      ];
      const reply = await withReservation(context.usage, userId, promptTokens(prompt), () =>
        chatModel.invoke(prompt, config),
      );
      const result: StepResult = {
        index: task.step.index,
        kind: 'research',
        output: messageText(reply),
        attempts: attempt,
      };
      attempts.delete(key);
      return { results: [result] };
    } catch (error) {
      if (!isTransient(error) || attempt >= (RESEARCH_RETRY_POLICY.maxAttempts ?? 1)) {
        attempts.delete(key);
      }
      throw error;
    }
  };

  const calculate = (task: StepTask) => {
    const expression = findExpression(task.step.text) ?? task.step.text;
    let output: string;
    try {
      output = `${expression} = ${formatNumber(evaluate(expression))}`;
    } catch (error) {
      if (!(error instanceof CalculatorError)) throw error;
      output = `${expression}: ${error.message}`;
    }
    const result: StepResult = { index: task.step.index, kind: 'calculate', output, attempts: 1 };
    return { results: [result] };
  };

  return new StateGraph(PlanState)
    .addNode('plan', (state: PlanStateValue) => {
      const texts = state.givenSteps ?? splitGoal(state.goal);
      return {
        steps: texts.map((text, index) => ({ index, text, kind: stepKind(text) })),
      };
    })
    .addNode('calculate', calculate)
    .addNode('research', research, { retryPolicy: RESEARCH_RETRY_POLICY })
    .addNode('summarize', (state: PlanStateValue) => ({
      summary:
        state.results.length === 0
          ? 'Nothing to do: the goal has no steps.'
          : state.results
              .map(
                (result) =>
                  `${result.index + 1}. ${state.steps[result.index]?.text}: ${result.output}`,
              )
              .join('\n'),
    }))
    .addEdge(START, 'plan')
    .addConditionalEdges(
      'plan',
      (state: PlanStateValue) =>
        state.steps.length === 0
          ? 'summarize'
          : state.steps.map(
              (step) =>
                new Send(step.kind, {
                  step,
                  model: state.model,
                  simulateFailures: state.simulateFailures,
                } satisfies StepTask),
            ),
      ['calculate', 'research', 'summarize'],
    )
    .addEdge('calculate', 'summarize')
    .addEdge('research', 'summarize')
    .addEdge('summarize', END);
}

export function planExecuteInitialState(
  input: z.infer<typeof planExecuteInputSchema>,
  model: string,
) {
  return {
    goal: input.goal,
    model,
    givenSteps: input.steps ?? null,
    simulateFailures: input.simulateFailures ?? 0,
    steps: [],
    summary: null,
  };
}
