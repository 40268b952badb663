/**
 * 12.15: hostile uploads are refused from what they declare, before the rest is read, and decoding is held to a
 * memory budget, one picture at a time per person.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecodeBudget } from '../../src/workflow/decode-budget.ts';
import { build, type Client, type TestApp } from '../helper.ts';

let t: TestApp;
let kajsa: Client;
beforeAll(async () => {
  t = await build({ listen: true });
  kajsa = await t.user('kajsa', 'konserthus', 'submitter');
}, 30_000);
afterAll(async () => {
  await t?.close();
});

const BOUNDARY = '----skylt-test-boundary';

/** A PNG that declares width x height in its IHDR, followed by nothing more (the rest never comes). */
function pngHeader(width: number, height: number): Buffer {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  b[24] = 8;
  b[25] = 6;
  return b;
}

/**
 * Starts an upload that sends only `first` bytes of the file part and then stalls, as a slow (or malicious) client
 * would. Resolves with the answer, and how many bytes had been sent when it came.
 */
function stalledUpload(
  client: Client,
  first: Buffer,
  headers: Record<string, string | number>,
): Promise<{ status: number; message: string; sentWhenAnswered: number }> {
  const head = Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="bomb.png"\r\nContent-Type: image/png\r\n\r\n`,
  );
  return new Promise((resolve, reject) => {
    let sent = 0;
    const req = httpRequest(new URL('/api/images', t.url), {
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        cookie: client.auth.cookie ?? '',
        'x-csrf-token': client.auth.csrf ?? '',
        ...headers,
      },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { message: string };
        resolve({ status: res.statusCode ?? 0, message: body.message, sentWhenAnswered: sent });
        req.destroy();
      });
    });
    req.on('error', (e) => {
      // The server closes the connection after refusing: expected once the answer is in.
      if (!(e as NodeJS.ErrnoException).code?.startsWith('ECONNRESET')) reject(e);
    });
    for (const part of [head, first]) {
      req.write(part);
      sent += part.length;
    }
    // ... and nothing more is sent: the answer must come from what was declared.
  });
}

describe('uploads refused from what they declare', () => {
  it('a body declared larger than any picture is refused before it is read', async () => {
    const r = await stalledUpload(kajsa, Buffer.alloc(1000), { 'content-length': 2_000_000_000 });
    expect(r.status).toBe(413);
    expect(r.message).toMatch(/at most 10 MB is accepted/);
    expect(r.sentWhenAnswered).toBeLessThan(2000);
  });

  it('a picture declaring 40,000 x 40,000 pixels is refused from its header, the rest never read', async () => {
    const r = await stalledUpload(kajsa, pngHeader(40_000, 40_000), { 'transfer-encoding': 'chunked' });
    expect(r.status).toBe(422);
    expect(r.message).toMatch(/40000x40000 pixels; at most 12000 pixels a side and 50 megapixels/);
  });

  it('a file that is not a picture is refused from its first bytes', async () => {
    const r = await stalledUpload(kajsa, Buffer.from('%PDF-1.7\n'.padEnd(4096, 'x')), {
      'transfer-encoding': 'chunked',
    });
    expect(r.status).toBe(415);
    expect(r.message).toMatch(/a PDF document, not a PNG, JPEG or WebP/);
  });

  it('Skylt keeps serving after each of them', async () => {
    expect((await kajsa.get('/api/auth/me')).status).toBe(200);
  });
});

describe('the decode budget', () => {
  it('one decode at a time per person, the second refused with why', async () => {
    const budget = new DecodeBudget({ pixels: 100, perUser: 1, waitMs: 1000 });
    const release = await budget.admit('kajsa', 50);
    await expect(budget.admit('kajsa', 10)).rejects.toMatchObject({
      kind: 'rateLimited',
      message: expect.stringMatching(/another picture of yours is being read/),
    });
    release();
    (await budget.admit('kajsa', 10))();
  });

  it('all decodes together stay within the pixel budget: the next waits for room, first come first served', async () => {
    const budget = new DecodeBudget({ pixels: 100, perUser: 1, waitMs: 5000 });
    const a = await budget.admit('a', 80);
    const order: string[] = [];
    const b = budget.admit('b', 50).then((r) => {
      order.push('b');
      return r;
    });
    const c = budget.admit('c', 10).then((r) => {
      order.push('c');
      return r;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual([]);
    expect(budget.pixelsInFlight).toBe(80);
    a();
    (await b)();
    (await c)();
    expect(order).toEqual(['b', 'c']);
    expect(budget.pixelsInFlight).toBe(0);
  });

  it('a decode that waits too long is refused as busy, and gives its place back', async () => {
    const budget = new DecodeBudget({ pixels: 100, perUser: 1, waitMs: 30 });
    const a = await budget.admit('a', 100);
    await expect(budget.admit('b', 10)).rejects.toMatchObject({ kind: 'unavailable' });
    a();
    (await budget.admit('b', 10))();
  });
});
