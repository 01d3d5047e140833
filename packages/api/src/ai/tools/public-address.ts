/**
 * Whether an IP address is a public unicast address the fetch tool may connect to. Refused:
 * unspecified, loopback, private (RFC 1918), carrier-grade NAT (100.64.0.0/10), link-local
 * (169.254.0.0/16 with the metadata endpoint 169.254.169.254, fe80::/10), unique-local
 * (fc00::/7 with AWS's metadata endpoint fd00:ec2::254), site-local, multicast, broadcast and
 * reserved ranges. An IPv6 address that embeds an IPv4 one (IPv4-mapped `::ffff:a.b.c.d`,
 * IPv4-compatible `::a.b.c.d`, NAT64 `64:ff9b::/96`) is judged by that IPv4 address.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** [first address as a 32-bit number, prefix length] */
const BLOCKED_V4: ReadonlyArray<readonly [number, number]> = [
  [v4('0.0.0.0'), 8], // "this network", unspecified
  [v4('10.0.0.0'), 8], // private
  [v4('100.64.0.0'), 10], // carrier-grade NAT
  [v4('127.0.0.0'), 8], // loopback
  [v4('169.254.0.0'), 16], // link-local, cloud metadata
  [v4('172.16.0.0'), 12], // private
  [v4('192.0.0.0'), 24], // IETF protocol assignments
  [v4('192.168.0.0'), 16], // private
  [v4('198.18.0.0'), 15], // benchmarking
  [v4('224.0.0.0'), 4], // multicast
  [v4('240.0.0.0'), 4], // reserved, broadcast
];

function v4(address: string): number {
  return address.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
}

function v4Allowed(address: string): boolean {
  const value = v4(address);
  return !BLOCKED_V4.some(([first, prefix]) => {
    const size = 2 ** (32 - prefix);
    return value >= first && value < first + size;
  });
}

/** The eight 16-bit groups of an IPv6 address (zone id dropped, trailing IPv4 expanded). */
function v6Groups(address: string): number[] {
  let text = address.split('%')[0] ?? '';
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted) {
    const value = v4(dotted);
    text = `${text.slice(0, -dotted.length)}${(value >>> 16).toString(16)}:${(value & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) =>
    part ? part.split(':').map((group) => Number.parseInt(group, 16)) : [];
  const start = parse(head);
  const end = tail === undefined ? [] : parse(tail);
  return [...start, ...Array(8 - start.length - end.length).fill(0), ...end];
}

function v6Allowed(address: string): boolean {
  const groups = v6Groups(address);
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups;
  const embeddedV4 = `${g6 >> 8}.${g6 & 0xff}.${g7 >> 8}.${g7 & 0xff}`;
  const upperZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (upperZero && g5 === 0xffff) return v4Allowed(embeddedV4); // IPv4-mapped
  if (upperZero && g5 === 0) {
    // :: and ::1 are unspecified and loopback; ::a.b.c.d is IPv4-compatible.
    if (g6 === 0 && g7 <= 1) return false;
    return v4Allowed(embeddedV4);
  }
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return v4Allowed(embeddedV4); // NAT64
  }
  if ((g0 & 0xfe00) === 0xfc00) return false; // unique-local fc00::/7
  if ((g0 & 0xffc0) === 0xfe80) return false; // link-local fe80::/10
  if ((g0 & 0xffc0) === 0xfec0) return false; // site-local fec0::/10 (deprecated)
  if ((g0 & 0xff00) === 0xff00) return false; // multicast ff00::/8
  return true;
}

/** Whether `address` (an IPv4 or IPv6 literal) is public; anything that is not an IP is not. */
export function isPublicAddress(address: string): boolean {
  if (isIPv4(address)) return v4Allowed(address);
  if (isIPv6(address)) return v6Allowed(address);
  return false;
}
