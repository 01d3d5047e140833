import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { LookupAddress } from 'node:dns';
import {
  FetchRefusedError,
  fetchAllowed,
  isAllowedUrl,
  type PinnedGet,
  type ResolveHost,
} from './http-fetch.ts';
import { isPublicAddress } from './public-address.ts';

const PUBLIC_V4 = '93.184.215.14';
const PUBLIC_V6 = '2606:2800:21f:cb07:6820:80da:af6b:8b2c';

const BLOCKED = {
  loopback: ['127.0.0.1', '127.255.0.9', '::1'],
  unspecified: ['0.0.0.0', '::'],
  'private (RFC 1918)': ['10.1.2.3', '172.16.5.4', '172.31.255.255', '192.168.1.1'],
  'carrier-grade NAT': ['100.64.0.1', '100.127.255.254'],
  'link-local': ['169.254.1.1', 'fe80::1', 'febf::1'],
  metadata: ['169.254.169.254', 'fd00:ec2::254'],
  'unique-local': ['fc00::1', 'fdff::1'],
  multicast: ['224.0.0.1', '239.1.1.1', 'ff02::1'],
  'IPv4-mapped IPv6': [
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '::ffff:10.0.0.1',
    '0:0:0:0:0:ffff:c0a8:101',
  ],
  'IPv4 embedded otherwise (compatible, NAT64)': ['::127.0.0.1', '64:ff9b::a9fe:a9fe'],
} as const;

describe('isPublicAddress', () => {
  for (const [range, addresses] of Object.entries(BLOCKED)) {
    test(`refuses ${range} addresses`, () => {
      for (const address of addresses) {
        expect({ address, public: isPublicAddress(address) }).toEqual({ address, public: false });
      }
    });
  }

  test('accepts public unicast addresses, IPv4-mapped ones included; a name is no address', () => {
    for (const address of [
      PUBLIC_V4,
      '8.8.8.8',
      '172.32.0.1',
      '100.128.0.1',
      PUBLIC_V6,
      '::ffff:8.8.8.8',
    ]) {
      expect({ address, public: isPublicAddress(address) }).toEqual({ address, public: true });
    }
    expect(isPublicAddress('example.com')).toBe(false);
  });
});

describe('isAllowedUrl and ports', () => {
  test('a bare host allows port 443 only', () => {
    const allowed = ['example.com'];
    expect(isAllowedUrl(new URL('https://example.com/a'), allowed)).toBe(true);
    expect(isAllowedUrl(new URL('https://example.com:443/a'), allowed)).toBe(true);
    expect(isAllowedUrl(new URL('https://example.com:8443/a'), allowed)).toBe(false);
    expect(isAllowedUrl(new URL('http://example.com/a'), allowed)).toBe(false);
    expect(isAllowedUrl(new URL('http://example.com:22/a'), allowed)).toBe(false);
  });

  test('host:port allows that port only', () => {
    const allowed = ['example.com:8443', 'plain.example:80'];
    expect(isAllowedUrl(new URL('https://example.com:8443/'), allowed)).toBe(true);
    expect(isAllowedUrl(new URL('https://example.com/'), allowed)).toBe(false);
    expect(isAllowedUrl(new URL('http://plain.example/'), allowed)).toBe(true);
    expect(isAllowedUrl(new URL('https://plain.example/'), allowed)).toBe(false);
  });
});

describe('fetchAllowed resolves, checks and pins', () => {
  /** A resolver that answers from a table and counts its calls. */
  function stubResolver(table: Record<string, string[]>) {
    const calls: string[] = [];
    const resolve: ResolveHost = async (hostname) => {
      calls.push(hostname);
      const addresses = table[hostname];
      if (!addresses) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
      return addresses.map(
        (address): LookupAddress => ({
          address,
          family: address.includes(':') ? 6 : 4,
        }),
      );
    };
    return { resolve, calls };
  }

  /** A transport that records where it was told to connect and answers from `routes`. */
  function stubGet(routes: Record<string, () => Response>) {
    const connections: Array<{ url: string; address: string }> = [];
    const get: PinnedGet = async (url, address) => {
      connections.push({ url: url.href, address: address.address });
      return (
        routes[url.pathname] ??
        (() => new Response('ok', { headers: { 'content-type': 'text/plain' } }))
      )();
    };
    return { get, connections };
  }

  for (const [range, addresses] of Object.entries(BLOCKED)) {
    test(`refuses a name with any ${range} address, before connecting`, async () => {
      for (const address of addresses) {
        const { resolve } = stubResolver({ 'api.example.com': [PUBLIC_V4, address] });
        const { get, connections } = stubGet({});
        await expect(
          fetchAllowed('https://api.example.com/data', {
            allowedHosts: ['api.example.com'],
            resolve,
            get,
          }),
        ).rejects.toThrow(/Address not allowed/);
        expect(connections).toEqual([]);
      }
    });
  }

  test('connects to the address it checked, once resolved', async () => {
    const { resolve, calls } = stubResolver({ 'api.example.com': [PUBLIC_V6, PUBLIC_V4] });
    const { get, connections } = stubGet({});
    const text = await fetchAllowed('https://api.example.com/data', {
      allowedHosts: ['api.example.com'],
      resolve,
      get,
    });
    expect(text).toBe('HTTP 200\nok');
    expect(calls).toEqual(['api.example.com']);
    expect(connections).toEqual([{ url: 'https://api.example.com/data', address: PUBLIC_V6 }]);
  });

  test('each redirect hop is resolved and checked again', async () => {
    const { resolve } = stubResolver({
      'api.example.com': [PUBLIC_V4],
      'internal.example.com': ['10.0.0.5'],
    });
    const { get, connections } = stubGet({
      '/moved': () =>
        new Response(null, { status: 302, headers: { location: 'https://internal.example.com/' } }),
    });
    await expect(
      fetchAllowed('https://api.example.com/moved', {
        allowedHosts: ['api.example.com', 'internal.example.com'],
        resolve,
        get,
      }),
    ).rejects.toThrow(/Address not allowed: internal.example.com/);
    expect(connections.map((connection) => connection.address)).toEqual([PUBLIC_V4]);
  });

  test('an IP literal is checked without resolving; a name that does not resolve is refused', async () => {
    const { resolve, calls } = stubResolver({});
    const { get, connections } = stubGet({});
    await expect(
      fetchAllowed('https://169.254.169.254/latest/meta-data/', {
        allowedHosts: ['169.254.169.254'],
        resolve,
        get,
      }),
    ).rejects.toThrow(FetchRefusedError);
    await expect(
      fetchAllowed('https://nowhere.example.com/', {
        allowedHosts: ['nowhere.example.com'],
        resolve,
        get,
      }),
    ).rejects.toThrow(/Host not found/);
    expect(calls).toEqual(['nowhere.example.com']);
    expect(connections).toEqual([]);
  });

  describe('over a real connection', () => {
    let server: ReturnType<typeof Bun.serve>;
    beforeAll(() => {
      server = Bun.serve({
        port: 0,
        hostname: '127.0.0.1',
        fetch: (request) =>
          new Response(`host header: ${request.headers.get('host')}`, {
            headers: { 'content-type': 'text/plain' },
          }),
      });
    });
    afterAll(() => {
      server.stop(true);
    });

    test('the connection goes to the checked address while the Host header keeps the name', async () => {
      // `.invalid` never resolves in DNS: the answer can only come over the pinned address.
      const name = 'pinned.invalid';
      const { resolve, calls } = stubResolver({ [name]: ['127.0.0.1'] });
      const text = await fetchAllowed(`http://${name}:${server.port}/`, {
        allowedHosts: [`${name}:${server.port}`],
        resolve,
        isAllowedAddress: (address) => address === '127.0.0.1',
      });
      expect(text).toBe(`HTTP 200\nhost header: ${name}:${server.port}`);
      expect(calls).toEqual([name]);
    });

    test('by default a name resolving to loopback is refused', async () => {
      const { resolve } = stubResolver({ 'pinned.invalid': ['127.0.0.1'] });
      await expect(
        fetchAllowed(`http://pinned.invalid:${server.port}/`, {
          allowedHosts: [`pinned.invalid:${server.port}`],
          resolve,
        }),
      ).rejects.toThrow(/Address not allowed/);
    });
  });
});
