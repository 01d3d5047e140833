/**
 * Values as the LangGraph Platform API sends them: plain JSON, every LangChain message a
 * plain dict with its `type` (`human`, `ai`, `tool`, …) and its fields, never LangChain's
 * constructor serialization (`{"lc":1,"type":"constructor",…}`).
 */
import { isBaseMessage } from '@langchain/core/messages';

export function plain(value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value !== 'object') return typeof value === 'bigint' ? String(value) : value;
  if (isBaseMessage(value)) {
    const { data } = value.toDict();
    return plain({ ...data, type: value.getType() });
  }
  if (value instanceof Date) return value.toISOString();
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null && 'toJSON' in value) {
    return plain((value as { toJSON(): unknown }).toJSON());
  }
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (entry === undefined || typeof entry === 'function') continue;
    out[key] = plain(entry);
  }
  return out;
}
