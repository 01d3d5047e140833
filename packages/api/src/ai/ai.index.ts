/**
 * The AI routes under /api/ai/ (their own rate-limit class and a longer timeout, set in
 * app.ts). Each feature's router is mounted here; their handlers load LangChain lazily.
 */
import { createRouter } from '../lib/create-router.ts';
import * as agentHandlers from './agents/agents.handlers.ts';
import * as agentRoutes from './agents/agents.routes.ts';
import * as chatHandlers from './chat/chat.handlers.ts';
import * as chatRoutes from './chat/chat.routes.ts';
import * as graphHandlers from './graphs/graphs.handlers.ts';
import * as graphRoutes from './graphs/graphs.routes.ts';
import { langgraphRouter } from './langgraph/langgraph.index.ts';
import * as usageHandlers from './usage/usage.handlers.ts';
import * as usageRoutes from './usage/usage.routes.ts';

export const aiChatRouter = createRouter()
  .openapi(chatRoutes.models, chatHandlers.models)
  .openapi(chatRoutes.chat, chatHandlers.chat)
  .openapi(chatRoutes.chatStream, chatHandlers.chatStream);

export const aiUsageRouter = createRouter().openapi(usageRoutes.usage, usageHandlers.usage);

export const aiAgentsRouter = createRouter()
  .openapi(agentRoutes.list, agentHandlers.list)
  .openapi(agentRoutes.run, agentHandlers.run);

export const aiGraphsRouter = createRouter()
  .openapi(graphRoutes.list, graphHandlers.list)
  .openapi(graphRoutes.start, graphHandlers.start)
  .openapi(graphRoutes.state, graphHandlers.state)
  .openapi(graphRoutes.stream, graphHandlers.stream)
  .openapi(graphRoutes.resume, graphHandlers.resume)
  .openapi(graphRoutes.history, graphHandlers.history)
  .openapi(graphRoutes.remove, graphHandlers.remove);

export const aiRouter = createRouter()
  .route('/', aiChatRouter)
  .route('/', aiUsageRouter)
  .route('/', aiAgentsRouter)
  .route('/', aiGraphsRouter)
  .route('/', langgraphRouter);
