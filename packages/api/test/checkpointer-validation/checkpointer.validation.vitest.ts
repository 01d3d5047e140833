/**
 * The official conformance suite for checkpoint savers,
 * `@langchain/langgraph-checkpoint-validation`, against DrizzleCheckpointSaver. The suite is
 * written for Vitest on Node, so it runs there (scripts/validate-checkpointer.mjs), on the
 * test database: PGlite by default, PostgreSQL when DATABASE_URL is set.
 */
import { validate } from '@langchain/langgraph-checkpoint-validation';
import initializer from './checkpointer.validation.ts';

validate(initializer);
