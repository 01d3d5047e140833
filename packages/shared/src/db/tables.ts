/** The database tables and their relations: what the Drizzle client is given. */
export * from './schema/ai.ts';
export * from './schema/ai-graphs.ts';
export * from './schema/auth.ts';
export * from './schema/chats.ts';
export * from './schema/files.ts';
export * from './schema/langgraph.ts';
