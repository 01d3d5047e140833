/**
 * The LangGraph Platform API router (mounted with the AI routes, in their route class). The
 * handlers load on first use, with the AI code: only the route definitions are in the core
 * bundle.
 */
import { createRouter } from '../../lib/create-router.ts';
import { lazyHandlers } from '../../lib/lazy-handler.ts';
import * as routes from './langgraph.routes.ts';

const lazy = lazyHandlers(() => import('./langgraph.handlers.ts'));

export const langgraphRouter = createRouter()
  .openapi(routes.info, lazy('info'))
  .openapi(routes.searchAssistants, lazy('searchAssistants'))
  .openapi(routes.getAssistant, lazy('getAssistant'))
  .openapi(routes.getAssistantView, lazy('getAssistantView'))
  .openapi(routes.createThread, lazy('createThread'))
  .openapi(routes.searchThreads, lazy('searchThreads'))
  .openapi(routes.getThread, lazy('getThread'))
  .openapi(routes.patchThread, lazy('patchThread'))
  .openapi(routes.deleteThread, lazy('deleteThread'))
  .openapi(routes.getState, lazy('getState'))
  .openapi(routes.getStateAt, lazy('getStateAt'))
  .openapi(routes.updateState, lazy('updateState'))
  .openapi(routes.history, lazy('history'))
  .openapi(routes.streamRun, lazy('streamRun'))
  .openapi(routes.waitRun, lazy('waitRun'))
  .openapi(routes.createRun, lazy('createRun'))
  .openapi(routes.listRuns, lazy('listRuns'))
  .openapi(routes.getRun, lazy('getRun'))
  .openapi(routes.joinRunStream, lazy('joinRunStream'))
  .openapi(routes.joinRun, lazy('joinRun'))
  .openapi(routes.cancelRun, lazy('cancelRun'));
