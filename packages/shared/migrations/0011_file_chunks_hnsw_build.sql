-- Hand-written: the HNSW index of the chunks' embeddings built again with m = 32 and
-- ef_construction = 200 (pgvector's defaults are 16 and 64), for recall (docs/performance.md).
-- Only where 0009 created the embedding column, i.e. where pgvector exists; elsewhere there
-- is no index to change. The build holds off writes to file_chunks while it runs, minutes
-- for a few hundred thousand chunks.
DO $$
BEGIN
	IF EXISTS (
		SELECT 1 FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = 'file_chunks' AND column_name = 'embedding'
	) THEN
		DROP INDEX IF EXISTS "file_chunks_embedding_idx";
		CREATE INDEX "file_chunks_embedding_idx" ON "file_chunks" USING hnsw ("embedding" vector_cosine_ops) WITH (m=32,ef_construction=200);
	END IF;
END
$$;
