import type { FastifyRequest } from 'fastify';

/**
 * Where the signs and the crisis feeds are reached (a serial device, `tcp://10.1.2.3:4001`, a feed URL with its
 * key) is a map for an attacker on the road-side network; the health and sign views are public because what the
 * signs show faces a motorway anyway. So an anonymous caller gets those views without any address: the fields are
 * null and addresses inside error texts are cut out. Signed-in staff see everything.
 */
export function seesAddresses(request: FastifyRequest): boolean {
  return request.user !== null;
}

// Link addresses as config writes them, URLs, device paths, and bare IPv4/IPv6 addresses with an optional port.
const ADDRESS_PATTERNS: readonly RegExp[] = [
  /\b(?:tcp|udp|ddp|serial|https?|wss?):\/?\/?[^\s,;'")]+/gi,
  /\/dev\/[^\s,;'")]+/g,
  /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g,
  /\[[0-9a-f:]+\](?::\d+)?/gi,
];

/** A message without any address in it, for anonymous callers. */
export function withoutAddresses(text: string): string {
  return ADDRESS_PATTERNS.reduce((t, re) => t.replace(re, '[address hidden]'), text);
}

/** `text` for signed-in staff; without addresses for anyone else. */
export function redactedFor(request: FastifyRequest, text: string): string;
export function redactedFor(request: FastifyRequest, text: string | null): string | null;
export function redactedFor(request: FastifyRequest, text: string | null): string | null {
  if (text === null || seesAddresses(request)) return text;
  return withoutAddresses(text);
}
