/**
 * 12.16: another organisation's picture is never rendered or handed out to someone who may not see it, whatever
 * the request says (the check, the preview, the picture itself, the picture list).
 */
import { createCanvas } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type Client, type TestApp } from '../helper.ts';

let t: TestApp;
let kajsa: Client;
let maria: Client;
let kommunPicture: string;
let konserthusPicture: string;

async function upload(client: Client, colour: string, name: string): Promise<string> {
  const canvas = createCanvas(400, 200);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = colour;
  ctx.fillRect(0, 0, 400, 200);
  const form = new FormData();
  form.append('file', new Blob([canvas.encodeSync('png')]), name);
  const res = await client.post('/api/images', form);
  expect(res.status).toBe(201);
  return res.body.id;
}

const imageItem = (image: string, organisation?: string) => ({
  content: { kind: 'image', image, caption: 'Vara' },
  infoLink: 'https://vara.se/evenemang',
  ...(organisation ? { organisation } : {}),
});

beforeAll(async () => {
  t = await build();
  kajsa = await t.user('kajsa', 'konserthus', 'submitter');
  maria = await t.user('maria', 'kommun', 'communicator');
  kommunPicture = await upload(maria, '#103060', 'kommun-hemlig.png');
  konserthusPicture = await upload(kajsa, '#603010', 'konserthus-utkast.png');
}, 30_000);
afterAll(async () => {
  await t?.close();
});

describe("another organisation's picture", () => {
  it('a Konserthus submitter cannot have a Vara kommun picture checked or drawn, even claiming to be kommun', async () => {
    for (const body of [imageItem(kommunPicture), imageItem(kommunPicture, 'kommun')]) {
      const check = await kajsa.post('/api/items/check', body);
      expect(check.status).toBe(400);
      const preview = await kajsa.post('/api/items/preview.png?sign=E20-N', body);
      expect(preview.status).toBe(400);
      expect(preview.headers.get('content-type')).not.toMatch(/image\/png/);
    }
    expect((await kajsa.get(`/api/images/${kommunPicture}`)).status).toBe(404);
    expect(JSON.stringify((await kajsa.get('/api/images')).body)).not.toContain(kommunPicture);
  });

  it("a communicator does not see a Konserthus draft's picture until an item using it is submitted", async () => {
    expect((await maria.post('/api/items/preview.png?sign=E20-N', imageItem(konserthusPicture))).status).toBe(400);
    expect((await maria.get(`/api/images/${konserthusPicture}`)).status).toBe(404);
    expect(JSON.stringify((await maria.get('/api/images')).body)).not.toContain(konserthusPicture);
    const item = await kajsa.post('/api/items', imageItem(konserthusPicture));
    expect(item.status).toBe(201);
    expect((await maria.get(`/api/images/${konserthusPicture}`)).status).toBe(404);
    expect((await kajsa.post(`/api/items/${item.body.item.id}/submit`)).status).toBe(200);
    // Now it is up for review: the reviewer sees it, as the item itself.
    const seen = await maria.get(`/api/images/${konserthusPicture}`);
    expect(seen.status).toBe(200);
    expect(seen.headers.get('content-type')).toBe('image/png');
    expect(JSON.stringify((await maria.get('/api/images')).body)).toContain(konserthusPicture);
    const preview = await maria.get(`/api/items/${item.body.item.id}/signs/E20-N/preview.png`);
    expect(preview.status).toBe(200);
  });

  it('each organisation still checks and previews its own pictures', async () => {
    const own = await kajsa.post('/api/items/preview.png?sign=E20-S', imageItem(konserthusPicture));
    expect(own.status).toBe(200);
    expect(own.headers.get('content-type')).toBe('image/png');
    expect((await maria.post('/api/items/check', imageItem(kommunPicture))).status).toBe(200);
  });
});
