CREATE TABLE "ai_checkpoint_blobs" (
	"thread_id" text NOT NULL,
	"checkpoint_ns" text DEFAULT '' NOT NULL,
	"channel" text NOT NULL,
	"version" text NOT NULL,
	"type" text NOT NULL,
	"value" "bytea",
	CONSTRAINT "ai_checkpoint_blobs_pk" PRIMARY KEY("thread_id","checkpoint_ns","channel","version")
);
