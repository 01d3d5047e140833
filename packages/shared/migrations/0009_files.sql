CREATE TYPE "public"."file_status" AS ENUM('pending', 'processing', 'ready', 'failed');--> statement-breakpoint
CREATE TABLE "file_chunks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"file_id" uuid NOT NULL,
	"user_id" text NOT NULL,
	"position" integer NOT NULL,
	"content" text NOT NULL,
	"token_count" integer NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"search" "tsvector" GENERATED ALWAYS AS (to_tsvector('english'::regconfig, "content")) STORED NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "files" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"name" text NOT NULL,
	"content_type" text NOT NULL,
	"detected_content_type" text,
	"size" bigint NOT NULL,
	"storage_key" text NOT NULL,
	"status" "file_status" DEFAULT 'pending' NOT NULL,
	"failure_reason" text,
	"chunk_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp (3) with time zone
);
--> statement-breakpoint
ALTER TABLE "file_chunks" ADD CONSTRAINT "file_chunks_file_id_files_id_fk" FOREIGN KEY ("file_id") REFERENCES "public"."files"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "file_chunks" ADD CONSTRAINT "file_chunks_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "files" ADD CONSTRAINT "files_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "file_chunks_file_id_position_idx" ON "file_chunks" USING btree ("file_id","position");--> statement-breakpoint
CREATE INDEX "file_chunks_user_id_idx" ON "file_chunks" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "file_chunks_search_idx" ON "file_chunks" USING gin ("search");--> statement-breakpoint
CREATE INDEX "files_user_id_created_at_id_idx" ON "files" USING btree ("user_id","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "files_storage_key_idx" ON "files" USING btree ("storage_key");--> statement-breakpoint
-- Hand-written: the embedding column and its HNSW index need pgvector. Where the extension
-- cannot be created (a PostgreSQL without it, or without the right to create it) the files
-- tables exist without vectors, and the API answers vector search with a clear 503.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector')
		AND EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') THEN
		BEGIN
			CREATE EXTENSION IF NOT EXISTS vector;
		EXCEPTION WHEN insufficient_privilege THEN
			RAISE NOTICE 'pgvector is available but could not be created: file_chunks has no embedding column';
		END;
	END IF;
	IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector') THEN
		ALTER TABLE "file_chunks" ADD COLUMN "embedding" vector(1536);
		CREATE INDEX "file_chunks_embedding_idx" ON "file_chunks" USING hnsw ("embedding" vector_cosine_ops);
	END IF;
END
$$;
