-- The token budget's check-and-reserve in one round trip (see ai/usage/budget.ts). Under a
-- per-user advisory lock held until the calling statement's transaction ends, each statement
-- of this VOLATILE function reads a fresh snapshot, so a concurrent reservation committed
-- while it waited for the lock is counted. Returns the tokens already used or reserved, and
-- the new reservation's id, null when the user was at or over the budget (nothing written).
CREATE OR REPLACE FUNCTION "ai_budget_reserve"(
	"p_id" uuid,
	"p_user_id" text,
	"p_tokens" integer,
	"p_budget" bigint,
	"p_day_start" timestamp with time zone,
	"p_now" timestamp with time zone,
	"p_expires_at" timestamp with time zone
) RETURNS TABLE ("reservation_id" uuid, "used" bigint)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	"v_used" bigint;
BEGIN
	PERFORM pg_advisory_xact_lock(hashtext('ai-budget:' || "p_user_id"));
	SELECT coalesce((SELECT sum(u."total_tokens") FROM "ai_usage" u
			WHERE u."user_id" = "p_user_id" AND u."created_at" >= "p_day_start"), 0)
		+ coalesce((SELECT sum(r."tokens") FROM "ai_budget_reservations" r
			WHERE r."user_id" = "p_user_id" AND r."expires_at" > "p_now"), 0)
		INTO "v_used";
	IF "v_used" >= "p_budget" THEN
		RETURN QUERY SELECT NULL::uuid, "v_used";
		RETURN;
	END IF;
	-- Expired rows of this user go while the lock is held: nothing else needs them.
	DELETE FROM "ai_budget_reservations" r
		WHERE r."user_id" = "p_user_id" AND r."expires_at" <= "p_now";
	INSERT INTO "ai_budget_reservations" ("id", "user_id", "tokens", "expires_at")
		VALUES ("p_id", "p_user_id", "p_tokens", "p_expires_at");
	RETURN QUERY SELECT "p_id", "v_used";
END
$$;
