/**
 * The yardstick of the Lambda-path benchmark: a bare Hono `streamHandle` handler that
 * answers GET /api/chats with one postgres.js query (the caller's session, by the signed
 * bearer token's value) and the user's chat list, loaded once per container.
 */
import { Hono } from 'hono';
import { streamHandle } from 'hono/aws-lambda';
import postgres from 'postgres';

const sql = postgres(process.env.DATABASE_URL ?? '', { max: 2, prepare: false });
let chats: unknown;

const app = new Hono().get('/api/chats', async (c) => {
  const bearer = c.req.header('authorization')?.slice('Bearer '.length) ?? '';
  const token = decodeURIComponent(bearer).split('.')[0] ?? '';
  const [row] = await sql`
    select s.user_id, s.expires_at from session s join "user" u on u.id = s.user_id
    where s.token = ${token} limit 1`;
  if (!row) return c.json({ error: 'unauthorized' }, 401);
  chats ??= {
    items: await sql`select id, title, created_at as "createdAt", updated_at as "updatedAt"
      from chats where user_id = ${row.user_id} order by created_at desc limit 20`,
    nextCursor: null,
  };
  return c.json(chats);
});

export const handler = streamHandle(app);
