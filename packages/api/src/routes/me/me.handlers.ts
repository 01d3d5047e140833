import type { AppRouteHandler } from '../../lib/types.ts';
import { callerOf } from '../../middleware/auth.ts';
import type { MeRoute } from './me.routes.ts';

export const me: AppRouteHandler<MeRoute> = (c) => {
  const { user, method } = callerOf(c);
  return c.json(
    {
      id: user.id,
      name: user.name,
      email: user.email,
      emailVerified: user.emailVerified,
      image: user.image ?? null,
      role: user.role ?? 'user',
      twoFactorEnabled: Boolean(user.twoFactorEnabled),
      createdAt: new Date(user.createdAt).toISOString(),
      authMethod: method,
    },
    200,
  );
};
