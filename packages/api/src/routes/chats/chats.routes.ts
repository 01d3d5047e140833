import {
  chatInsertSchema,
  chatPatchSchema,
  chatSelectSchema,
  messageInsertSchema,
  messageSelectSchema,
} from '@backend/shared';
import { createRoute, z } from '@hono/zod-openapi';
import { SECURITY } from '../../lib/openapi.ts';
import { pageQuerySchema, pageSchema } from '../../lib/pagination.ts';
import { errorResponses, jsonBody, jsonContent, uuidPathParam } from '../../lib/responses.ts';
import { requirePermission } from '../../middleware/auth.ts';

const tags = ['Chats'];

// Re-wrapped here so the documented names attach to schemas this package created (the shared
// package stays free of OpenAPI concerns).
export const chatSchema = z.object(chatSelectSchema.shape).openapi('Chat');
export const messageSchema = z.object(messageSelectSchema.shape).openapi('Message');
const newChatSchema = z.strictObject(chatInsertSchema.shape).openapi('NewChat');
const chatPatchBodySchema = z.strictObject(chatPatchSchema.shape).openapi('ChatPatch');
const newMessageSchema = z.strictObject(messageInsertSchema.shape).openapi('NewMessage');
const chatParams = z.object({ chatId: uuidPathParam('chatId') });

export const list = createRoute({
  method: 'get',
  path: '/api/chats',
  tags,
  summary: 'List my chats, newest first',
  security: SECURITY,
  middleware: [requirePermission({ chat: ['read'] })] as const,
  request: { query: pageQuerySchema },
  responses: {
    200: jsonContent(pageSchema(chatSchema, 'ChatPage'), 'A page of chats.'),
    ...errorResponses(401, 403, 422),
  },
});

export const create = createRoute({
  method: 'post',
  path: '/api/chats',
  tags,
  summary: 'Create a chat',
  security: SECURITY,
  middleware: [requirePermission({ chat: ['create'] })] as const,
  request: { body: jsonBody(newChatSchema) },
  responses: {
    201: jsonContent(chatSchema, 'The new chat.'),
    ...errorResponses(400, 401, 403, 415, 422),
  },
});

export const get = createRoute({
  method: 'get',
  path: '/api/chats/{chatId}',
  tags,
  summary: 'Get one of my chats',
  security: SECURITY,
  middleware: [requirePermission({ chat: ['read'] })] as const,
  request: { params: chatParams },
  responses: {
    200: jsonContent(chatSchema, 'The chat.'),
    ...errorResponses(401, 403, 404, 422),
  },
});

export const patch = createRoute({
  method: 'patch',
  path: '/api/chats/{chatId}',
  tags,
  summary: 'Rename one of my chats',
  security: SECURITY,
  middleware: [requirePermission({ chat: ['update'] })] as const,
  request: { params: chatParams, body: jsonBody(chatPatchBodySchema) },
  responses: {
    200: jsonContent(chatSchema, 'The updated chat.'),
    ...errorResponses(400, 401, 403, 404, 415, 422),
  },
});

export const remove = createRoute({
  method: 'delete',
  path: '/api/chats/{chatId}',
  tags,
  summary: 'Delete one of my chats and its messages',
  security: SECURITY,
  middleware: [requirePermission({ chat: ['delete'] })] as const,
  request: { params: chatParams },
  responses: {
    204: { description: 'Deleted, messages included.' },
    ...errorResponses(401, 403, 404, 422),
  },
});

export const listMessages = createRoute({
  method: 'get',
  path: '/api/chats/{chatId}/messages',
  tags,
  summary: 'List the messages of one of my chats, oldest first',
  security: SECURITY,
  middleware: [requirePermission({ chat: ['read'] })] as const,
  request: { params: chatParams, query: pageQuerySchema },
  responses: {
    200: jsonContent(pageSchema(messageSchema, 'MessagePage'), 'A page of messages.'),
    ...errorResponses(401, 403, 404, 422),
  },
});

export const createMessage = createRoute({
  method: 'post',
  path: '/api/chats/{chatId}/messages',
  tags,
  summary: 'Add a message to one of my chats',
  security: SECURITY,
  middleware: [requirePermission({ chat: ['update'] })] as const,
  request: { params: chatParams, body: jsonBody(newMessageSchema) },
  responses: {
    201: jsonContent(messageSchema, 'The stored message.'),
    ...errorResponses(400, 401, 403, 404, 415, 422),
  },
});

export type ListRoute = typeof list;
export type CreateRoute = typeof create;
export type GetRoute = typeof get;
export type PatchRoute = typeof patch;
export type RemoveRoute = typeof remove;
export type ListMessagesRoute = typeof listMessages;
export type CreateMessageRoute = typeof createMessage;
