/**
 * What the API checks before Better Auth sees a request, so a weak or malformed input gets
 * the project's 422 with field details instead of Better Auth's own 400.
 */
import { lineText } from '@backend/shared';
import { z } from 'zod';

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 128;

const email = z.email({ error: 'Must be an email address' }).max(254);
const password = z
  .string()
  .min(PASSWORD_MIN, { error: `Must be at least ${PASSWORD_MIN} characters` })
  .max(PASSWORD_MAX, { error: `Must be at most ${PASSWORD_MAX} characters` });

/** The optional fields Better Auth reads besides the credentials. */
const callbackURL = z.string().max(2048).optional();
const rememberMe = z.boolean().optional();

/**
 * Sign-up and sign-in refuse unknown fields (422 naming each), as the app's own routes do:
 * the same input rules on both route families. A `role` is an unknown field here too.
 */
export const signUpSchema = z.strictObject({
  email,
  password,
  name: lineText(100),
  image: z.string().max(2048).optional(),
  callbackURL,
  rememberMe,
});
export const signInSchema = z.strictObject({
  email,
  password: z.string().min(1).max(PASSWORD_MAX),
  callbackURL,
  rememberMe,
});
export const passwordChangeSchema = z.looseObject({ newPassword: password });
export const passwordResetSchema = z.looseObject({ newPassword: password });

/** Body checks by Better Auth path (relative to its base path). */
export const BODY_SCHEMAS: Record<string, z.ZodType> = {
  '/sign-up/email': signUpSchema,
  '/sign-in/email': signInSchema,
  '/change-password': passwordChangeSchema,
  '/reset-password': passwordResetSchema,
};
