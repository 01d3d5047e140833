/**
 * The AI routes under /api/ai/ (their own rate-limit class and a longer timeout, set in
 * app.ts). Each feature's router is mounted here; the handlers load on first use (and load
 * LangChain lazily), so only the route definitions are in the core bundle.
 */
import { createRouter } from '../lib/create-router.ts';
import { lazyHandlers } from '../lib/lazy-handler.ts';
import * as agentRoutes from './agents/agents.routes.ts';
import * as chatRoutes from './chat/chat.routes.ts';
import * as graphRoutes from './graphs/graphs.routes.ts';
import { langgraphRouter } from './langgraph/langgraph.index.ts';
import * as usageHandlers from './usage/usage.handlers.ts';
import * as usageRoutes from './usage/usage.routes.ts';

const chatHandler = lazyHandlers(() => import('./chat/chat.handlers.ts'));
const agentHandler = lazyHandlers(() => import('./agents/agents.handlers.ts'));
const graphHandler = lazyHandlers(() => import('./graphs/graphs.handlers.ts'));

export const aiChatRouter = createRouter()
  .openapi(chatRoutes.models, chatHandler('models'))
  .openapi(chatRoutes.chat, chatHandler('chat'))
  .openapi(chatRoutes.chatStream, chatHandler('chatStream'))
  .openapi(chatRoutes.chatUi, chatHandler('chatUi'));

export const aiUsageRouter = createRouter().openapi(usageRoutes.usage, usageHandlers.usage);

export const aiAgentsRouter = createRouter()
  .openapi(agentRoutes.list, agentHandler('list'))
  .openapi(agentRoutes.run, agentHandler('run'))
  .openapi(agentRoutes.runUi, agentHandler('runUi'));

export const aiGraphsRouter = createRouter()
  .openapi(graphRoutes.list, graphHandler('list'))
  .openapi(graphRoutes.start, graphHandler('start'))
  .openapi(graphRoutes.state, graphHandler('state'))
  .openapi(graphRoutes.stream, graphHandler('stream'))
  .openapi(graphRoutes.resume, graphHandler('resume'))
  .openapi(graphRoutes.history, graphHandler('history'))
  .openapi(graphRoutes.remove, graphHandler('remove'));

export const aiRouter = createRouter()
  .route('/', aiChatRouter)
  .route('/', aiUsageRouter)
  .route('/', aiAgentsRouter)
  .route('/', aiGraphsRouter)
  .route('/', langgraphRouter);
