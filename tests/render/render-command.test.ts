import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { renderCommand } from '../../src/cli/render-command.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

function workdir(): string {
  return mkdtempSync(join(tmpdir(), 'skylt-render-'));
}

describe('skylt render', () => {
  it('renders every item of a playlist for every sign, with an image next to the playlist', async () => {
    const dir = workdir();
    const canvas = createCanvas(300, 150);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#335';
    ctx.fillRect(0, 0, 300, 150);
    writeFileSync(join(dir, 'torget.png'), canvas.encodeSync('png'));
    writeFileSync(
      join(dir, 'playlist.json'),
      JSON.stringify({
        version: 1,
        name: 'Test',
        items: [
          {
            id: 'lucia',
            organisation: 'kommun',
            content: {
              kind: 'event',
              title: 'Luciafirande',
              startsAt: '2026-12-13T17:00:00+01:00',
              venue: 'Stora torget',
              organiser: 'kommun',
            },
            dwellSeconds: 10,
            infoLink: 'https://vara.se/lucia',
          },
          {
            id: 'torget',
            organisation: 'kommun',
            content: { kind: 'image', image: 'torget.png', caption: 'Nya torget', fit: 'cover' },
            dwellSeconds: 10,
            infoLink: 'https://vara.se/torget',
          },
        ],
      }),
    );
    const out = join(dir, 'out');
    const c = capture();
    const code = await renderCommand([join(dir, 'playlist.json'), '--out', out], c.io);
    expect(c.err).toEqual([]);
    expect(code).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      'lucia.E20-N.png',
      'lucia.E20-S.png',
      'torget.E20-N.png',
      'torget.E20-S.png',
    ]);
    const png = await loadImage(readFileSync(join(out, 'lucia.E20-N.png')));
    expect([png.width, png.height]).toEqual([384, 192]);
  });

  it('renders a single item file for one sign in another pixel format, and prints its lint', async () => {
    const dir = workdir();
    const file = join(dir, 'konsert.json');
    writeFileSync(
      file,
      JSON.stringify({
        kind: 'event',
        title: 'Julkonsert med kör och stråkar',
        performer: 'Vara Kammarkör',
        startsAt: '2026-12-12T19:00:00+01:00',
        venue: 'Stora torget',
        organiser: 'konserthus',
      }),
    );
    const c = capture();
    const code = await renderCommand([file, '--sign', 'E20-S', '--format', 'mono', '--out', dir], c.io);
    expect(readdirSync(dir)).toContain('konsert.E20-S.png');
    expect(c.out[0]).toContain('384x192 mono');
    // 10 words on one page (the date and time counts as one): the lint error is printed and the exit status says so.
    expect(c.out.join('\n')).toContain('error words-per-page');
    expect(c.out.join('\n')).not.toContain('info-link');
    expect(code).toBe(1);
  });

  it('explains text that does not fit and carries on with the other items', async () => {
    const dir = workdir();
    const file = join(dir, 'lang.json');
    writeFileSync(
      file,
      JSON.stringify({
        items: [
          {
            content: {
              kind: 'info',
              lines: [
                'Här står en mening som är alldeles för lång',
                'för att någonsin få plats',
                'på en skylt vid',
                'E20 med rätt teckenhöjd',
              ],
            },
          },
          { content: { kind: 'info', lines: ['Vara'] } },
        ],
      }),
    );
    const c = capture();
    const code = await renderCommand([file, '--sign', 'E20-N', '--out', dir], c.io);
    expect(code).toBe(1);
    expect(c.out.join('\n')).toMatch(/not rendered[\s\S]*min-char-height[\s\S]*shorten/);
    expect(readdirSync(dir)).toContain('lang-2.E20-N.png');
  });

  it('answers bad usage and bad files with status 2', async () => {
    const dir = workdir();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ kind: 'event', title: '' }));
    const c = capture();
    expect(await renderCommand([], c.io)).toBe(2);
    expect(await renderCommand([bad], c.io)).toBe(2);
    expect(c.err.join('\n')).toContain('neither an item nor a playlist');
    expect(await renderCommand([join(dir, 'missing.json')], c.io)).toBe(2);
    expect(await renderCommand([bad, '--sign', 'E4-X'], c.io)).toBe(2);
    expect(await renderCommand([bad, '--format', 'cmyk'], c.io)).toBe(2);
    expect(await renderCommand(['--help'], c.io)).toBe(0);
  });
});
