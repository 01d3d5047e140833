/**
 * Single-store entry points of rate-limiter-flexible. Its index requires every store it
 * supports (about 70 KB in the Lambda bundle); the app needs memory and Redis only.
 * Each module is CommonJS with the class as `module.exports`.
 */
declare module 'rate-limiter-flexible/lib/RateLimiterMemory.js' {
  import type { RateLimiterMemory } from 'rate-limiter-flexible';

  const RateLimiterMemoryClass: typeof RateLimiterMemory;
  export default RateLimiterMemoryClass;
}
declare module 'rate-limiter-flexible/lib/RateLimiterRedis.js' {
  import type { RateLimiterRedis } from 'rate-limiter-flexible';

  const RateLimiterRedisClass: typeof RateLimiterRedis;
  export default RateLimiterRedisClass;
}
declare module 'rate-limiter-flexible/lib/RateLimiterRes.js' {
  import type { RateLimiterRes } from 'rate-limiter-flexible';

  const RateLimiterResClass: typeof RateLimiterRes;
  export default RateLimiterResClass;
}
