/**
 * A browser's cookie jar, for fetch functions that route to the app in-process: it keeps
 * the cookies each response sets, forgets the ones a response clears, and sends the rest.
 */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  /** The `Cookie` header to send, or `undefined` while the jar is empty. */
  header(): string | undefined {
    if (this.#cookies.size === 0) return undefined;
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** Sets the `Cookie` header on `headers` when the jar holds any cookie. */
  attach(headers: Headers): void {
    const cookie = this.header();
    if (cookie) headers.set('cookie', cookie);
  }

  /** Keeps what `response` sets; an empty value or `Max-Age=0` removes the cookie. */
  store(response: Response): void {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator);
      const value = pair.slice(separator + 1);
      if (value === '' || /max-age=0/i.test(cookie)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }
}
