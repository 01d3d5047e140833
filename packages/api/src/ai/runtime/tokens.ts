/**
 * Token counting and message text, for code that needs a count without a provider's
 * tokenizer: the history window of the AI chat, usage estimates, and the local model.
 */
import type { BaseMessage } from '@langchain/core/messages';

/** The tokens of `text`: runs of non-space characters, each with its leading whitespace. */
export function tokenize(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

/** How many tokens the local model counts in `text`. */
export const countTokens = (text: string) => tokenize(text).length;

/** The text of a message's content (text blocks joined; other blocks ignored). */
export function messageText(message: BaseMessage): string {
  const { content } = message;
  if (typeof content === 'string') return content;
  return content
    .map((block) =>
      typeof block === 'string'
        ? block
        : block.type === 'text' && typeof block.text === 'string'
          ? block.text
          : '',
    )
    .join('');
}
