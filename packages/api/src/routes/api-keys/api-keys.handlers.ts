import { AUDIT_EVENTS, audit } from '../../lib/audit.ts';
import { roleAllows } from '../../lib/auth/permissions.ts';
import { ERROR_CODES, errorResponse } from '../../lib/errors.ts';
import type { AppRouteHandler } from '../../lib/types.ts';
import { callerOf } from '../../middleware/auth.ts';
import type { CreateRoute } from './api-keys.routes.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export const create: AppRouteHandler<CreateRoute> = async (c) => {
  const { name, expiresInDays, permissions } = c.req.valid('json');
  const caller = callerOf(c);
  // A key cannot mint keys: creating one needs a signed-in person.
  if (caller.method === 'api-key') {
    return errorResponse(c, 403, ERROR_CODES.FORBIDDEN, 'API keys cannot create API keys');
  }
  if (!roleAllows(caller.user.role, permissions)) {
    return errorResponse(c, 403, ERROR_CODES.FORBIDDEN, 'The permissions exceed your role');
  }
  const created = await c.var.deps.auth.api.createApiKey({
    body: { name, userId: caller.user.id, expiresIn: (expiresInDays * DAY_MS) / 1000, permissions },
  });
  audit(c, AUDIT_EVENTS.API_KEY_CREATED, { keyId: created.id });
  return c.json(
    {
      id: created.id,
      name: created.name ?? name,
      key: created.key,
      expiresAt: new Date(created.expiresAt ?? Date.now() + expiresInDays * DAY_MS).toISOString(),
      permissions: (created.permissions as Record<string, string[]> | null) ?? permissions,
    },
    201,
  );
};
