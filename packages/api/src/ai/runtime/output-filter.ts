/**
 * The output filter: every reply passes it before a client sees it (or, streamed, while it
 * is being sent). Two checks, both optional:
 *  - a blocklist (AI_OUTPUT_BLOCKLIST): words or phrases matched whole and without regard to
 *    case; cheap enough to run on a stream before each token goes out, so a listed word is
 *    never sent;
 *  - OpenAI's moderation endpoint (AI_MODERATION=true, with an OpenAI key): run on the whole
 *    reply once it is complete.
 * A reply that fails either is withheld: the client gets WITHHELD_REPLY instead, and that is
 * what is stored.
 */
import type { Logger } from '../../lib/logger.ts';

/** What replaces a withheld reply, in the response and in the chat. */
export const WITHHELD_REPLY = 'This reply was withheld by the output filter.';

export type FilterVerdict =
  | { allowed: true }
  | { allowed: false; reason: 'blocklist' | 'moderation'; categories: string[] };

export interface OutputFilter {
  /** The first listed term in `text`, or null: synchronous, for each streamed token. */
  blockedTerm(text: string): string | null;
  /** The blocklist, then moderation when configured. */
  check(text: string, signal?: AbortSignal): Promise<FilterVerdict>;
}

export interface OutputFilterOptions {
  blocklist?: readonly string[];
  /** OpenAI's moderation endpoint; null or absent: no moderation. */
  moderation?: { apiKey: string; baseUrl?: string; model?: string; timeoutMs?: number } | null;
  logger?: Logger;
  /** For tests. @default globalThis.fetch */
  fetch?: typeof fetch;
}

const escapeRegExp = (term: string) => term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function createOutputFilter(options: OutputFilterOptions = {}): OutputFilter {
  const terms = (options.blocklist ?? []).map((term) => term.trim()).filter(Boolean);
  // Whole words: a listed `ass` does not block `class`.
  const pattern = terms.length
    ? new RegExp(
        `(?<![\\p{L}\\p{N}_])(${terms.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}_])`,
        'iu',
      )
    : null;
  const { moderation } = options;
  const doFetch = options.fetch ?? globalThis.fetch;

  const blockedTerm = (text: string) => (pattern ? (text.match(pattern)?.[1] ?? null) : null);

  async function moderate(text: string, signal?: AbortSignal): Promise<FilterVerdict> {
    if (!moderation) return { allowed: true };
    const base = (moderation.baseUrl ?? 'https://api.openai.com/v1').replace(/\/$/, '');
    const timeout = AbortSignal.timeout(moderation.timeoutMs ?? 10_000);
    const response = await doFetch(`${base}/moderations`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${moderation.apiKey}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ model: moderation.model ?? 'omni-moderation-latest', input: text }),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    if (!response.ok) throw new Error(`moderation answered ${response.status}`);
    const body = (await response.json()) as {
      results?: Array<{ flagged?: boolean; categories?: Record<string, boolean> }>;
    };
    const flagged = body.results?.filter((result) => result.flagged) ?? [];
    if (flagged.length === 0) return { allowed: true };
    const categories = flagged.flatMap((result) =>
      Object.entries(result.categories ?? {})
        .filter(([, on]) => on)
        .map(([name]) => name),
    );
    return { allowed: false, reason: 'moderation', categories: [...new Set(categories)] };
  }

  return {
    blockedTerm,
    async check(text, signal) {
      const term = blockedTerm(text);
      if (term) return { allowed: false, reason: 'blocklist', categories: [] };
      return moderate(text, signal);
    },
  };
}
