import { createHash, randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

/**
 * Passwords: scrypt (RFC 7914) with a per-user random salt. The parameters are stored with each hash, so they can
 * be raised later without breaking existing logins. Default N = 2^15, r = 8, p = 3: one of OWASP's recommended
 * scrypt settings (Password Storage Cheat Sheet), 32 MiB per hash; an offline guess costs the same.
 */
export const DEFAULT_LOG2_N = 15;
const R = 8;
const P = 3;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

export const MIN_PASSWORD_LENGTH = 12;

function derive(password: string, salt: Buffer, log2n: number, r: number, p: number, keylen: number): Promise<Buffer> {
  const N = 2 ** log2n;
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keylen, { N, r, p, maxmem: 256 * N * r }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** "scrypt$15$8$1$<salt>$<hash>" (base64url). */
export async function hashPassword(password: string, log2n = DEFAULT_LOG2_N): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, log2n, R, P, KEY_BYTES);
  return ['scrypt', log2n, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** The same, blocking: for the one hash made at first start, before anything else runs. */
export function hashPasswordSync(password: string, log2n = DEFAULT_LOG2_N): string {
  const salt = randomBytes(SALT_BYTES);
  const N = 2 ** log2n;
  const key = scryptSync(password.normalize('NFKC'), salt, KEY_BYTES, { N, r: R, p: P, maxmem: 256 * N * R });
  return ['scrypt', log2n, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Timing-safe; false for a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, log2n, r, p, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !log2n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(
    password,
    Buffer.from(salt, 'base64url'),
    Number(log2n),
    Number(r),
    Number(p),
    expected.length,
  );
  return key.length === expected.length && timingSafeEqual(key, expected);
}

const dummies = new Map<number, Promise<string>>();

/** A hash to verify against when the user does not exist, so a login takes as long either way. */
export function dummyHash(log2n = DEFAULT_LOG2_N): Promise<string> {
  let d = dummies.get(log2n);
  if (!d) {
    d = hashPassword(randomBytes(16).toString('hex'), log2n);
    dummies.set(log2n, d);
  }
  return d;
}

export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > 256) return 'at most 256 characters';
  return null;
}

/** 20 characters from a 31-letter alphabet without look-alikes (about 99 bits). */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(20);
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}

/** Session ids and token secrets are random 256-bit values: a fast hash is enough to keep them useless at rest. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
