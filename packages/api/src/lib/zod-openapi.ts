/**
 * Zod's `.openapi()` extension, made a dependency of the modules that use it. `@hono/zod-openapi`
 * applies it in its own module body, but the `z` it exports is zod's own: in a bundle split
 * into chunks, a module that imports only `z` depends on zod's chunk alone and can run before
 * that body, and its first `.openapi()` then fails. Such a module calls `withOpenApi()` first.
 */
import { extendZodWithOpenApi, z } from '@hono/zod-openapi';

/** Applies the extension (a no-op once applied) and returns `z`. */
export function withOpenApi(): typeof z {
  extendZodWithOpenApi(z);
  return z;
}
