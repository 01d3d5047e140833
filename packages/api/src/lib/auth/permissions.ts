/**
 * Roles and what they may do, with Better Auth's access control. `user` works on its own
 * chats; `admin` also manages users. API keys carry a subset of these permissions.
 */
import { createAccessControl } from 'better-auth/plugins/access';
import { adminAc, defaultStatements, userAc } from 'better-auth/plugins/admin/access';

export const statements = {
  ...defaultStatements,
  chat: ['create', 'read', 'update', 'delete'],
} as const;

export const accessControl = createAccessControl(statements);

export const ROLES = {
  user: accessControl.newRole({
    ...userAc.statements,
    chat: ['create', 'read', 'update', 'delete'],
  }),
  admin: accessControl.newRole({
    ...adminAc.statements,
    chat: ['create', 'read', 'update', 'delete'],
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
