import { describe, expect, test } from 'bun:test';
import {
  AIMessage,
  type AIMessageChunk,
  HumanMessage,
  SystemMessage,
  type ToolMessage,
} from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { z } from 'zod';
import { findExpression } from '../tools/calculator.ts';
import { decide, LocalChatModel } from './local-model.ts';
import { tokenize } from './tokens.ts';

const calculator = tool(async ({ expression }) => `${expression} = 42`, {
  name: 'calculator',
  description: 'Arithmetic',
  schema: z.object({ expression: z.string() }),
});
const currentTime = tool(async () => '2026-01-01T00:00:00Z', {
  name: 'current_time',
  description: 'The time',
  schema: z.object({ timezone: z.string().optional() }),
});
const searchChats = tool(async ({ query }) => `found: ${query}`, {
  name: 'search_chats',
  description: 'Search my chats',
  schema: z.object({ query: z.string(), limit: z.number().optional() }),
});
const searchDocuments = tool(async ({ query }) => `passages: ${query}`, {
  name: 'search_documents',
  description: 'Search my documents',
  schema: z.object({ query: z.string() }),
});
const TOOLS = [calculator, currentTime, searchChats, searchDocuments];

describe('LocalChatModel', () => {
  test('is a LangChain chat model named local that reports counted usage', async () => {
    const model = new LocalChatModel();
    expect(model._llmType()).toBe('local');
    const reply = await model.invoke([
      new SystemMessage('be nice'),
      new HumanMessage('hello there'),
    ]);
    expect(reply.content).toBe('Local model (no provider configured). You said: "hello there".');
    // Prompt: 2 + 2 tokens plus one per message; completion: the reply's tokens.
    expect(reply.usage_metadata).toMatchObject({
      input_tokens: 6,
      output_tokens: 9,
      total_tokens: 15,
    });
    expect(reply.response_metadata).toMatchObject({ model_name: 'local', finish_reason: 'stop' });
  });

  test('streams one token per chunk, then a last chunk with the usage', async () => {
    const chunks: AIMessageChunk[] = [];
    for await (const chunk of await new LocalChatModel().stream('hi')) chunks.push(chunk);
    const texts = chunks.map((chunk) => chunk.content);
    expect(texts.slice(0, -1)).toEqual(
      tokenize('Local model (no provider configured). You said: "hi".'),
    );
    expect(texts.at(-1)).toBe('');
    expect(chunks.at(-1)?.usage_metadata?.output_tokens).toBe(texts.length - 1);
  });

  test('says how many earlier messages it was given', async () => {
    const reply = await new LocalChatModel().invoke([
      new SystemMessage('system'),
      new HumanMessage('one'),
      new AIMessage('two'),
      new HumanMessage('three'),
    ]);
    expect(reply.content).toContain('You said: "three". I was given 2 earlier messages.');
  });

  test('stops between tokens when its signal aborts', async () => {
    const controller = new AbortController();
    const model = new LocalChatModel({ tokenDelayMs: 20 });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of await model.stream('a long reply please', {
          signal: controller.signal,
        })) {
          seen.push(String(chunk.content));
          if (seen.length === 2) controller.abort();
        }
      })(),
    ).rejects.toThrow();
    expect(seen.length).toBe(2);
  });

  test.each([
    ['What is 12 * (3 + 4)?', 'calculator', { expression: '12 * (3 + 4)' }],
    ['what time is it in Europe/Paris', 'current_time', { timezone: 'Europe/Paris' }],
    ['what is the date today', 'current_time', {}],
    ['Search my chats for pancakes', 'search_chats', { query: 'pancakes' }],
    ['find "quarterly budget" please', 'search_chats', { query: 'quarterly budget' }],
    ['Search my documents for parental leave', 'search_documents', { query: 'parental leave' }],
    ['find "holiday policy" in my files', 'search_documents', { query: 'holiday policy' }],
  ])('with tools bound, %p calls %s with %p', async (question, name, args) => {
    const reply = await new LocalChatModel().bindTools(TOOLS).invoke([new HumanMessage(question)]);
    expect(reply.content).toBe('');
    expect(reply.tool_calls).toEqual([{ name, args, id: 'call_local_1', type: 'tool_call' }]);
    expect(reply.response_metadata).toMatchObject({ finish_reason: 'tool_calls' });
  });

  test('answers from tool results once they come back', async () => {
    const model = new LocalChatModel().bindTools(TOOLS);
    const question = new HumanMessage('What is 6 * 7?');
    const call = await model.invoke([question]);
    const [toolCall] = call.tool_calls ?? [];
    if (!toolCall) throw new Error('no tool call');
    const result = (await calculator.invoke(toolCall)) as ToolMessage;
    const answer = await model.invoke([question, call, result]);
    expect(answer.content).toBe('calculator: 6 * 7 = 42');
    expect(answer.tool_calls).toEqual([]);
  });

  test('without a fitting tool, or with tool_choice none, it answers in words', async () => {
    const onlySearch = new LocalChatModel().bindTools([searchChats]);
    expect((await onlySearch.invoke('what is 2 + 2')).tool_calls).toEqual([]);
    const none = new LocalChatModel().bindTools(TOOLS, { tool_choice: 'none' });
    expect((await none.invoke('what is 2 + 2')).tool_calls).toEqual([]);
  });

  test('tool_choice naming a tool forces a call to it', async () => {
    const forced = new LocalChatModel().bindTools(TOOLS, { tool_choice: 'search_chats' });
    const reply = await forced.invoke('hello');
    expect(reply.tool_calls?.[0]).toMatchObject({ name: 'search_chats', args: { query: 'hello' } });
  });

  test('a plain message matches no tool', () => {
    expect(decide([new HumanMessage('tell me a story')], []).toolCall).toBeUndefined();
    expect(findExpression('version 2 of 3 apples')).toBeNull();
    expect(findExpression('compute 3.5 / 7 - 1 now')).toBe('3.5 / 7 - 1');
  });
});
