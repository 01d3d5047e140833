/**
 * Wraps the Lambda handler: each invocation's logs carry its Lambda request id and
 * cold-start flag, runs inside its X-Ray subsegment, and writes its metrics once, after
 * the response has streamed. Nothing here can fail an invocation.
 */
import type { LambdaContext } from 'hono/aws-lambda';
import type { Logger, RootLogger } from '../logger.ts';
import type { AppMetrics } from './metrics.ts';
import type { Tracing } from './tracing.ts';

export interface InstrumentOptions {
  logger: Logger;
  metrics: AppMetrics;
  tracing: Tracing;
}

const isRoot = (logger: Logger): logger is RootLogger => 'addLambdaContext' in logger;

/** The runtime calls a response-streaming handler with `(event, responseStream, context)`. */
type StreamingHandler = (
  event: unknown,
  stream: unknown,
  context: LambdaContext,
) => Promise<unknown>;

/**
 * `handler` (a response-streaming handler, such as `streamHandle(app)` returns) with
 * per-invocation logs context, tracing and metrics; same marks, same shape.
 */
export function instrumentHandler<H extends (...args: never[]) => unknown>(
  handler: H,
  options: InstrumentOptions,
): H {
  const { logger, metrics, tracing } = options;
  const invoke = handler as unknown as StreamingHandler;
  let coldStart = true;
  const instrumented: StreamingHandler = async (event, stream, context) => {
    const cold = coldStart;
    coldStart = false;
    try {
      if (isRoot(logger)) logger.addLambdaContext(context, cold);
      if (cold) metrics.count('coldStart');
    } catch {
      // Observability never fails an invocation.
    }
    let ran = false;
    const run = () => {
      ran = true;
      return invoke(event, stream, context);
    };
    try {
      return await tracing.invocation(run, cold);
    } catch (error) {
      // Only the handler's own failure is the invocation's; a tracer that broke before
      // running it is bypassed.
      if (ran) throw error;
      return run();
    } finally {
      try {
        metrics.flush({ lambdaRequestId: context.awsRequestId });
      } catch {
        // Metrics never fail an invocation.
      }
    }
  };
  // The runtime recognises a response-streaming handler by the marks
  // `awslambda.streamifyResponse` left on it: the wrapper carries them over.
  const marks = handler as unknown as Record<symbol, unknown>;
  for (const key of Object.getOwnPropertySymbols(handler)) {
    (instrumented as unknown as Record<symbol, unknown>)[key] = marks[key];
  }
  return instrumented as unknown as H;
}
