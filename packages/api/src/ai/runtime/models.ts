/**
 * The model registry: the models a request may name, built once from configuration.
 *
 * - With an OpenAI key (OPENAI_API_KEY, or the secret OPENAI_SECRET_ARN names), each name in
 *   AI_MODELS is served through `@langchain/openai` (Chat Completions, so any
 *   OpenAI-compatible endpoint works): `gpt-4o-mini` by the default endpoint (OPENAI_BASE_URL)
 *   under that name, `fast=groq:llama-3.1-8b-instant` by the AI_PROVIDERS endpoint `groq`
 *   under the provider's model name. `local` may be listed too.
 * - With no key, the only model is `local` (the deterministic local model), whatever
 *   AI_MODELS says.
 * The default is AI_DEFAULT_MODEL when listed, else the first name.
 */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { ChatOpenAICompletions } from '@langchain/openai';
import type { Env } from '../../env.ts';
import { ApiError, ERROR_CODES } from '../../lib/errors.ts';
import { LOCAL_MODEL_NAME, LocalChatModel } from './local-model.ts';
import { gatedFetch } from './request-gate.ts';

export type ModelProvider = 'openai' | 'local';

/** What `GET` listings show of a model. */
export interface ModelInfo {
  name: string;
  provider: ModelProvider;
  local: boolean;
  default: boolean;
}

export interface ResolvedModel {
  /** The registry's name: what requests, responses and usage records call it. */
  name: string;
  provider: ModelProvider;
  /** Supports `.bindTools(tools)` and streaming. Its `metadata` names the model for callbacks. */
  chatModel: BaseChatModel;
}

export interface ModelRegistry {
  /** Every model a request may name, the default first. */
  list(): ModelInfo[];
  /** The named model (the default when no name); 422 for a name not in the allowlist. */
  resolve(name?: string): ResolvedModel;
  readonly defaultName: string;
}

/** Keys of `chatModel.metadata` that name the model to callbacks (usage, tracing). */
export const MODEL_METADATA = { name: 'ai_model', provider: 'ai_provider' } as const;

export interface ModelRegistryOptions {
  env: Env;
  /** The key of the default OpenAI endpoint; null or absent: local model only. */
  openaiApiKey?: string | null;
}

interface Entry {
  name: string;
  provider: ModelProvider;
  create(): BaseChatModel;
}

/** `name` or `name=provider:model`, as AI_MODELS lists them. */
export function parseModelEntry(entry: string) {
  const [name = entry, target] = entry.split('=', 2);
  if (!target) return { name, endpoint: 'openai', model: name };
  const colon = target.indexOf(':');
  return { name, endpoint: target.slice(0, colon), model: target.slice(colon + 1) };
}

export function createModelRegistry(options: ModelRegistryOptions): ModelRegistry {
  const { env } = options;
  const openaiApiKey = options.openaiApiKey ?? null;
  const entries = new Map<string, Entry>();
  const local: Entry = {
    name: LOCAL_MODEL_NAME,
    provider: 'local',
    create: () => new LocalChatModel({ tokenDelayMs: env.AI_LOCAL_TOKEN_DELAY_MS }),
  };

  if (openaiApiKey) {
    for (const entry of env.AI_MODELS ?? ['gpt-4o-mini']) {
      if (entry === LOCAL_MODEL_NAME) {
        entries.set(local.name, local);
        continue;
      }
      const { name, endpoint, model } = parseModelEntry(entry);
      const provider = endpoint === 'openai' ? null : env.AI_PROVIDERS?.[endpoint];
      if (endpoint !== 'openai' && !provider) {
        throw new Error(`AI_MODELS: ${name} names the provider ${endpoint}, not in AI_PROVIDERS`);
      }
      const baseURL = provider ? provider.baseUrl : env.OPENAI_BASE_URL;
      const apiKey = provider ? (provider.apiKey ?? openaiApiKey) : openaiApiKey;
      entries.set(name, {
        name,
        provider: 'openai',
        create: () =>
          new ChatOpenAICompletions({
            model,
            apiKey,
            configuration: { ...(baseURL ? { baseURL } : {}), fetch: gatedFetch },
            timeout: env.OPENAI_TIMEOUT_MS,
            maxRetries: env.OPENAI_MAX_RETRIES,
            maxTokens: env.AI_MAX_OUTPUT_TOKENS,
            streamUsage: true,
          }),
      });
    }
  }
  if (entries.size === 0) entries.set(local.name, local);

  const names = [...entries.keys()];
  const defaultName =
    env.AI_DEFAULT_MODEL && entries.has(env.AI_DEFAULT_MODEL)
      ? env.AI_DEFAULT_MODEL
      : (names[0] ?? LOCAL_MODEL_NAME);
  const instances = new Map<string, BaseChatModel>();

  return {
    defaultName,
    list() {
      return [defaultName, ...names.filter((name) => name !== defaultName)].map((name) => {
        const entry = entries.get(name) as Entry;
        return {
          name,
          provider: entry.provider,
          local: entry.provider === 'local',
          default: name === defaultName,
        };
      });
    },
    resolve(name) {
      const wanted = name ?? defaultName;
      const entry = entries.get(wanted);
      if (!entry) {
        throw new ApiError(422, ERROR_CODES.VALIDATION_FAILED, `Unknown model: ${wanted}`, {
          details: [
            {
              location: 'body',
              path: 'model',
              message: `Must be one of: ${names.join(', ')}`,
            },
          ],
        });
      }
      let chatModel = instances.get(wanted);
      if (!chatModel) {
        chatModel = entry.create();
        // Callbacks (usage records, traces) learn the registry's name from here.
        chatModel.metadata = {
          ...chatModel.metadata,
          [MODEL_METADATA.name]: entry.name,
          [MODEL_METADATA.provider]: entry.provider,
        };
        instances.set(wanted, chatModel);
      }
      return { name: entry.name, provider: entry.provider, chatModel };
    },
  };
}
