/**
 * `GET /assistants/{id}/graph` and `/schemas` through the real SDK Client (both versions):
 * the compiled graph's nodes and edges, and JSON schemas in the SDK's `GraphSchema` shape.
 */
import { describe, expect, test } from 'bun:test';
import { signUp } from '../../../test/accounts.ts';
import { SDK_VERSIONS, sdkClient } from '../../../test/langgraph.ts';
import { useTestApp } from '../../../test/test-app.ts';
import { assistantIdOf } from './assistants.ts';

const t = useTestApp();

for (const { name, Client } of SDK_VERSIONS) {
  describe(name, () => {
    test("an assistant's graph lists its nodes and the edges between them", async () => {
      const client = sdkClient(Client, t.app, await signUp(t.app, t.deps));
      const graph = await client.assistants.getGraph('chat');
      const ids = graph.nodes.map((node) => String(node.id));
      expect(ids).toEqual(expect.arrayContaining(['__start__', 'agent', 'tools', '__end__']));
      const edges = graph.edges.map((edge) => `${edge.source}>${edge.target}`);
      expect(edges).toEqual(expect.arrayContaining(['__start__>agent', 'tools>agent']));
      expect(graph.edges.some((edge) => edge.source === 'agent' && edge.conditional)).toBe(true);
      const byId = await client.assistants.getGraph(assistantIdOf('approval'), { xray: true });
      expect(byId.nodes.length).toBeGreaterThan(2);
    });

    test('schemas: a workflow its input schema, the chat assistant the messages state', async () => {
      const client = sdkClient(Client, t.app, await signUp(t.app, t.deps));
      const chat = await client.assistants.getSchemas('chat');
      expect(chat.graph_id).toBe('chat');
      expect(chat.input_schema).toMatchObject({ properties: { messages: { type: 'array' } } });
      expect(chat.state_schema).toEqual(chat.input_schema);
      const plan = await client.assistants.getSchemas('plan-execute');
      expect(JSON.stringify(plan.input_schema)).toContain('"goal"');
      expect(plan.config_schema).toMatchObject({ type: 'object' });
    });

    test('graph and schemas of an unknown assistant are 404', async () => {
      const client = sdkClient(Client, t.app, await signUp(t.app, t.deps));
      await expect(client.assistants.getGraph('no-such-graph')).rejects.toMatchObject({
        status: 404,
      });
      await expect(client.assistants.getSchemas('no-such-graph')).rejects.toMatchObject({
        status: 404,
      });
    });
  });
}
