import { describe, expect, test } from 'bun:test';
import { appendVary } from './vary.ts';

describe('appendVary', () => {
  test('sets Vary when the response has none', () => {
    const headers = new Headers();
    appendVary(headers, 'Origin');
    expect(headers.get('vary')).toBe('Origin');
  });

  test('sets several fields at once, each once', () => {
    const headers = new Headers();
    appendVary(headers, 'Cookie', 'Authorization', 'cookie');
    expect(headers.get('vary')).toBe('Cookie, Authorization');
  });

  test('appends to an existing Vary, skipping fields already listed in any case', () => {
    const headers = new Headers({ vary: 'accept-encoding, Cookie' });
    appendVary(headers, 'Accept-Encoding', 'Origin', 'COOKIE');
    expect(headers.get('vary')).toBe('accept-encoding, Cookie, Origin');
  });

  test('leaves Vary: * alone', () => {
    const headers = new Headers({ vary: '*' });
    appendVary(headers, 'Origin');
    expect(headers.get('vary')).toBe('*');
  });
});

describe('appendVary matching', () => {
  test('a field is only "listed" as a whole member, not as part of another name', () => {
    const headers = new Headers({ vary: 'X-Origin-Verify' });
    appendVary(headers, 'Origin');
    expect(headers.get('vary')).toBe('X-Origin-Verify, Origin');
  });
});
