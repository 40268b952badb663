/**
 * Golden images: each page rendered with the bundled font must match its PNG under tests/golden/ pixel for
 * pixel. After an intended change of the look, regenerate with `UPDATE_GOLDEN=1 npx vitest run tests/render/golden`
 * and look at the new PNGs before committing them.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import type { ItemContent } from '../../src/domain/item-content.ts';
import { type Frame, frameToRgba, type PixelFormat, type Rgb } from '../../src/render/frame.ts';
import { framePng } from '../../src/render/frame-png.ts';
import { type ImportedImage, importImage } from '../../src/render/image-import.ts';
import { type RenderOptions, renderItem } from '../../src/render/render-item.ts';
import { signProfile } from '../../src/render/sign-profile.ts';

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const AMBER: Rgb = [255, 176, 0];

const sign = (format: PixelFormat) =>
  signProfile({ id: 'E20-N', width: 384, height: 192, format, pixelPitchMm: 16, monoColour: AMBER });

async function expectGolden(name: string, frame: Frame): Promise<void> {
  const path = join(GOLDEN_DIR, `${name}.png`);
  const png = framePng(frame, AMBER);
  if (UPDATE || !existsSync(path)) {
    if (!UPDATE) throw new Error(`no golden image ${path}: run with UPDATE_GOLDEN=1 to create it`);
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(path, png);
    return;
  }
  const golden = await loadImage(readFileSync(path));
  expect([golden.width, golden.height]).toEqual([frame.width, frame.height]);
  const ctx = createCanvas(frame.width, frame.height).getContext('2d');
  ctx.drawImage(golden, 0, 0);
  const want = ctx.getImageData(0, 0, frame.width, frame.height).data;
  const got = frameToRgba(frame, AMBER);
  let differing = 0;
  for (let i = 0; i < got.length; i += 4) {
    if (got[i] !== want[i] || got[i + 1] !== want[i + 1] || got[i + 2] !== want[i + 2]) differing++;
  }
  if (differing > 0) {
    const actual = join(tmpdir(), `skylt-golden-${name}.actual.png`);
    writeFileSync(actual, png);
    expect.fail(`${name}: ${differing} pixels differ from tests/golden/${name}.png; this run's page is ${actual}`);
  }
}

let picture: ImportedImage | null = null;

/** A landscape drawn in code (not a file): sky, sun, fields, so the image template has something real. */
async function landscape(): Promise<ImportedImage> {
  if (picture) return picture;
  const canvas = createCanvas(640, 400);
  const ctx = canvas.getContext('2d');
  for (let y = 0; y < 260; y++) {
    ctx.fillStyle = `rgb(${20 + (y >> 3)},${40 + (y >> 2)},${90 + (y >> 2)})`;
    ctx.fillRect(0, y, 640, 1);
  }
  ctx.fillStyle = 'rgb(255,220,150)';
  ctx.beginPath();
  ctx.arc(470, 120, 48, 0, Math.PI * 2);
  ctx.fill();
  ctx.fillStyle = 'rgb(60,110,40)';
  ctx.fillRect(0, 260, 640, 140);
  ctx.fillStyle = 'rgb(200,170,60)';
  ctx.beginPath();
  ctx.moveTo(0, 330);
  ctx.lineTo(640, 290);
  ctx.lineTo(640, 400);
  ctx.lineTo(0, 400);
  ctx.fill();
  picture = await importImage(canvas.encodeSync('png'));
  return picture;
}

const concert: ItemContent = {
  kind: 'event',
  title: 'Julkonsert',
  performer: 'Vara Kammarkör',
  startsAt: '2026-12-12T19:00:00+01:00',
  venue: 'Vara Konserthus',
  organiser: 'konserthus',
};

const cases: { name: string; content: ItemContent; format?: PixelFormat; opts?: () => Promise<RenderOptions> }[] = [
  { name: 'event-konserthus', content: concert },
  {
    name: 'event-kommun-mark',
    content: {
      kind: 'event',
      title: 'Luciafirande',
      startsAt: '2026-12-13T17:00:00+01:00',
      venue: 'Stora torget',
      organiser: 'kommun',
    },
  },
  {
    name: 'exhibition',
    content: { kind: 'exhibition', title: 'Vårsalongen', where: 'Vara bibliotek', when: '1–20 mars' },
  },
  {
    name: 'excursion',
    content: { kind: 'excursion', title: 'Vandring på Kålland', where: 'Start vid Vara station', when: 'lör 9 maj' },
  },
  { name: 'info-swedish', content: { kind: 'info', lines: ['Årets kommun – Vara', '”Välkommen” ÅÄÖ åäö Éé Üü'] } },
  {
    name: 'info-link',
    content: { kind: 'info', lines: ['Evenemang i Vara'] },
    opts: async () => ({ infoLink: 'https://www.vara.se/evenemang', showInfoLink: true, organiser: 'kommun' }),
  },
  {
    name: 'crisis',
    content: { kind: 'crisis', headline: 'Brand i Vara centrum', instruction: 'Gå inomhus, stäng fönster' },
  },
  {
    name: 'image-caption',
    content: { kind: 'image', image: 'landscape', caption: 'Vårmarknad i Vara', fit: 'contain' },
    opts: async () => ({ image: await landscape() }),
  },
  {
    name: 'image-cover',
    content: { kind: 'image', image: 'landscape', fit: 'cover' },
    opts: async () => ({ image: await landscape() }),
  },
  { name: 'event-konserthus.rgb565', content: concert, format: 'rgb565' },
  { name: 'event-konserthus.gray4', content: concert, format: 'gray4' },
  { name: 'event-konserthus.mono', content: concert, format: 'mono' },
  {
    name: 'crisis.mono',
    content: { kind: 'crisis', headline: 'Brand i Vara centrum', instruction: 'Gå inomhus, stäng fönster' },
    format: 'mono',
  },
];

describe('golden images (pixel-exact, bundled font)', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const page = renderItem(c.content, sign(c.format ?? 'rgb888'), c.opts ? await c.opts() : {});
      await expectGolden(c.name, page.frame);
    });
  }
});
