/**
 * Roles and what they may do, with Better Auth's access control. `user` works on its own
 * chats and files; `admin` also manages users. API keys carry a subset of these permissions.
 */
import { createAccessControl } from 'better-auth/plugins/access';
import { adminAc, defaultStatements, userAc } from 'better-auth/plugins/admin/access';

export const statements = {
  ...defaultStatements,
  chat: ['create', 'read', 'update', 'delete'],
  file: ['create', 'read', 'delete'],
} as const;

export const accessControl = createAccessControl(statements);

export const ROLES = {
  user: accessControl.newRole({
    ...userAc.statements,
    chat: ['create', 'read', 'update', 'delete'],
    file: ['create', 'read', 'delete'],
  }),
  admin: accessControl.newRole({
    ...adminAc.statements,
    chat: ['create', 'read', 'update', 'delete'],
    file: ['create', 'read', 'delete'],
  }),
};
export type RoleName = keyof typeof ROLES;
export const ROLE_NAMES = Object.keys(ROLES) as [RoleName, ...RoleName[]];

/** A request for permissions: `{ chat: ['read'] }`. */
export type PermissionRequest = {
  [K in keyof typeof statements]?: Array<(typeof statements)[K][number]>;
};

/** What an API key may do unless its creator narrows it. */
export const DEFAULT_API_KEY_PERMISSIONS: Record<string, string[]> = {
  chat: ['create', 'read', 'update', 'delete'],
  file: ['create', 'read', 'delete'],
};

/** Whether `role` grants every permission in `request`. */
export function roleAllows(role: string | null | undefined, request: PermissionRequest): boolean {
  const roles = (role ?? 'user').split(',').map((name) => name.trim());
  return roles.some((name) => {
    const granted = ROLES[name as RoleName];
    return granted ? granted.authorize(request).success : false;
  });
}

/** Whether an API key's stored permissions grant every permission in `request`. */
export function keyAllows(
  permissions: Record<string, string[]> | null | undefined,
  request: PermissionRequest,
): boolean {
  if (!permissions) return false;
  return Object.entries(request).every(([resource, actions]) =>
    (actions ?? []).every((action) => permissions[resource]?.includes(action)),
  );
}

/** The permissions in `request` that `allows` refuses, one `resource: [actions]` per resource. */
export function missingPermissions(
  request: PermissionRequest,
  allows: (one: PermissionRequest) => boolean,
): PermissionRequest {
  const missing: Record<string, string[]> = {};
  for (const [resource, actions] of Object.entries(request)) {
    for (const action of actions ?? []) {
      if (!allows({ [resource]: [action] } as PermissionRequest))
        missing[resource] = [...(missing[resource] ?? []), action];
    }
  }
  return missing as PermissionRequest;
}

/** `chat:create, chat:update`: how a permission request is written in messages and docs. */
export function formatPermissions(request: PermissionRequest): string {
  return Object.entries(request)
    .flatMap(([resource, actions]) => (actions ?? []).map((action) => `${resource}:${action}`))
    .join(', ');
}

const DECLARED = Symbol.for('backend.requiredPermissions');

/**
 * Marks a guard with the permissions it checks, so the OpenAPI document declares exactly
 * what the guard enforces (lib/create-router.ts reads it back): one list, not two.
 */
export function declarePermissions<T extends object>(guard: T, request: PermissionRequest): T {
  return Object.assign(guard, { [DECLARED]: request });
}

/** The permissions a guard was marked with, if any. */
export function declaredPermissions(guard: unknown): PermissionRequest | undefined {
  return typeof guard === 'function'
    ? ((guard as unknown as Record<symbol, PermissionRequest | undefined>)[DECLARED] ?? undefined)
    : undefined;
}
