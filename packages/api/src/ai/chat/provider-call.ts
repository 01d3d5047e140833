/**
 * The model call of a chat turn: held behind the daily budget check, bounded by the AI
 * deadline, and failing as a 502/504 in the project's error shape.
 */
import { ApiError, ERROR_CODES } from '../../lib/errors.ts';
import { withRequestGate } from '../runtime/request-gate.ts';
import type { Turn } from './chat.types.ts';

/** Ends a turn's reservation (its usage is recorded by then); nothing if none was taken. */
export const settle = (turn: Pick<Turn, 'budget'>) =>
  turn.budget.then(
    (reservation) => reservation.settle(),
    () => undefined,
  );

/** The 502/504 a failed model call answers (never the provider's own words: they may leak). */
export function providerError(error: unknown, timedOut: boolean): ApiError {
  const name = error instanceof Error ? error.name : '';
  if (timedOut || name === 'TimeoutError') {
    return new ApiError(504, ERROR_CODES.TIMEOUT, 'The model provider did not answer in time', {
      cause: error,
    });
  }
  return new ApiError(502, ERROR_CODES.BAD_GATEWAY, 'The model provider failed', {
    cause: error,
  });
}

/**
 * Calls the model once the budget allows it. An OpenAI-compatible provider's request is
 * built while the budget is read and held until the check passes: it is never sent when
 * the check fails. The local model sends nothing; it runs after the check. A failed check
 * throws as it failed (an exhausted budget its 429, a database outage its own error),
 * whatever the call did meanwhile; a failed call, a 502/504.
 */
export async function callModel<T>(
  turn: Pick<Turn, 'model' | 'budget'>,
  timedOut: () => boolean,
  call: () => Promise<T>,
): Promise<T> {
  const gated = turn.model.provider === 'openai';
  if (!gated) await turn.budget;
  try {
    const result = gated ? await withRequestGate(turn.budget, call) : await call();
    await turn.budget;
    return result;
  } catch (error) {
    await turn.budget;
    throw providerError(error, timedOut());
  }
}

/** The request's signals and the AI deadline; `timedOut()` tells the deadline fired. */
export function deadlineSignals(timeoutMs: number, ...others: Array<AbortSignal | undefined>) {
  const deadline = AbortSignal.timeout(timeoutMs);
  const all = [deadline, ...others.filter((signal) => signal !== undefined)];
  return { signal: AbortSignal.any(all), timedOut: () => deadline.aborted };
}
