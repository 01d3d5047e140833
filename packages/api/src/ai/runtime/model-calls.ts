/**
 * An X-Ray subsegment per model call (`model <name>`, annotated with the model and provider),
 * from LangChain callbacks, so chat, agents and graphs are all covered. Imported only by the
 * AI runtime (a lazy chunk); with tracing off it adds no callback at all.
 */
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { Serialized } from '@langchain/core/load/serializable';
import type { Span, Tracing } from '../../lib/observability/tracing.ts';
import { MODEL_METADATA } from './models.ts';

const nameOf = (metadata: Record<string, unknown> | undefined, key: string, fallback: string) =>
  String(metadata?.[key] ?? fallback);

/** What LangChain passes both start callbacks after the run id; the metadata names the model. */
type StartArguments = [
  parentRunId?: string,
  extraParams?: Record<string, unknown>,
  tags?: string[],
  metadata?: Record<string, unknown>,
];
const METADATA_ARGUMENT = 3;

/** Opens a subsegment when a model call starts and closes it when the call ends or fails. */
export class ModelCallTracer extends BaseCallbackHandler {
  name = 'xray_model_calls';
  private readonly spans = new Map<string, Span>();

  constructor(private readonly tracing: Tracing) {
    super();
  }

  private open(runId: string, metadata?: Record<string, unknown>) {
    try {
      const model = nameOf(
        metadata,
        MODEL_METADATA.name,
        nameOf(metadata, 'ls_model_name', 'unknown'),
      );
      const provider = nameOf(
        metadata,
        MODEL_METADATA.provider,
        nameOf(metadata, 'ls_provider', 'unknown'),
      );
      const span = this.tracing.start(`model ${model}`, { model, provider });
      if (span) this.spans.set(runId, span);
    } catch {
      // Tracing never fails a model call.
    }
  }

  private close(runId: string, error?: unknown) {
    const span = this.spans.get(runId);
    this.spans.delete(runId);
    try {
      span?.end(error);
    } catch {
      // As above.
    }
  }

  override handleChatModelStart(
    _llm: Serialized,
    _messages: unknown,
    runId: string,
    ...rest: StartArguments
  ) {
    this.open(runId, rest[METADATA_ARGUMENT]);
  }

  override handleLLMStart(
    _llm: Serialized,
    _prompts: string[],
    runId: string,
    ...rest: StartArguments
  ) {
    this.open(runId, rest[METADATA_ARGUMENT]);
  }

  override handleLLMEnd(_output: unknown, runId: string) {
    this.close(runId);
  }

  override handleLLMError(error: unknown, runId: string) {
    this.close(runId, error);
  }
}

/** The callbacks that trace a run's model calls: none when tracing is off. */
export function modelCallCallbacks(tracing: Tracing): BaseCallbackHandler[] {
  return tracing.enabled ? [new ModelCallTracer(tracing)] : [];
}
