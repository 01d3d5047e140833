/** The LangGraph Platform API router (mounted with the AI routes, in their route class). */
import { createRouter } from '../../lib/create-router.ts';
import * as handlers from './langgraph.handlers.ts';
import * as routes from './langgraph.routes.ts';

export const langgraphRouter = createRouter()
  .openapi(routes.info, handlers.info)
  .openapi(routes.searchAssistants, handlers.searchAssistants)
  .openapi(routes.getAssistant, handlers.getAssistant)
  .openapi(routes.createThread, handlers.createThread)
  .openapi(routes.searchThreads, handlers.searchThreads)
  .openapi(routes.getThread, handlers.getThread)
  .openapi(routes.patchThread, handlers.patchThread)
  .openapi(routes.deleteThread, handlers.deleteThread)
  .openapi(routes.getState, handlers.getState)
  .openapi(routes.getStateAt, handlers.getStateAt)
  .openapi(routes.updateState, handlers.updateState)
  .openapi(routes.history, handlers.history)
  .openapi(routes.streamRun, handlers.streamRun)
  .openapi(routes.waitRun, handlers.waitRun)
  .openapi(routes.createRun, handlers.createRun)
  .openapi(routes.listRuns, handlers.listRuns)
  .openapi(routes.getRun, handlers.getRun)
  .openapi(routes.joinRunStream, handlers.joinRunStream)
  .openapi(routes.joinRun, handlers.joinRun)
  .openapi(routes.cancelRun, handlers.cancelRun);
