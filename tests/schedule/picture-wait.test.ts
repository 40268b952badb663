import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import type { PlaylistItem } from '../../src/domain/playlist.ts';
import { type Frame, frameCrc32, solidFrame } from '../../src/render/frame.ts';
import { ImageNotReadyError } from '../../src/render/sign-page.ts';
import { PREPARE_WAIT_MS } from '../../src/schedule/pages-not-airing.ts';
import type { PublishedSchedule } from '../../src/schedule/schedule-input.ts';
import { type ScheduledPage, SignScheduler } from '../../src/schedule/sign-scheduler.ts';
import { openDatabase } from '../../src/store/database.ts';
import { signStateRepository } from '../../src/store/sign-state-repository.ts';
import { PictureUnavailableError } from '../../src/workflow/picture-cache.ts';
import { SMALL_PANEL, virtualRig, waitFor } from '../signs/helpers.ts';

/**
 * Issue 13.2 on one sign: a picture item whose picture is still being prepared keeps its turn (the sign holds its
 * page a few ticks longer) instead of being passed over for the whole playlist revision; a picture that cannot be
 * read is passed over and said so.
 */

const T0 = Date.parse('2026-12-07T08:00:00Z');
const rigs: ReturnType<typeof virtualRig>[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.controller.stop();
});

const info = (id: string, organisation: 'kommun' | 'konserthus' = 'kommun'): PlaylistItem => ({
  id,
  organisation,
  content: { kind: 'info', lines: [id] },
  dwellSeconds: 10,
  infoLink: 'https://vara.se',
  showLink: false,
});
const picture = (id: string): PlaylistItem => ({
  id,
  organisation: 'konserthus',
  content: { kind: 'image', image: `img-${id}`, fit: 'contain' },
  dwellSeconds: 10,
  infoLink: 'https://varakonserthus.se',
  showLink: false,
});

const colour = (id: string) => {
  let h = 0x811c9dc5;
  for (const ch of id) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return (h >>> 8) & 0xffffff;
};
const frameOf = (p: PlaylistItem): Frame => solidFrame(SMALL_PANEL.width, SMALL_PANEL.height, 'rgb888', colour(p.id));

async function rig(
  pages: PlaylistItem[],
  pictureState: Map<string, 'preparing' | 'ready' | 'unreadable'>,
  fallbackPages: PlaylistItem[] = [info('fallback-a')],
) {
  const clock = new ManualClock(T0);
  const db = openDatabase(':memory:');
  const r = virtualRig(SMALL_PANEL, clock, {}, { chunkBytes: 1024 });
  rigs.push(r);
  const state = signStateRepository(db);
  const schedule: PublishedSchedule<ScheduledPage> = {
    revision: '1',
    items: pages.map((page, order) => ({
      id: page.id,
      organisation: page.organisation,
      dwellSeconds: page.dwellSeconds,
      order,
      page,
    })),
    settings: { shares: { kommun: 0.5, konserthus: 0.5 } },
  };
  // As runtime.ts draws: a picture still being decoded throws the transient ImageNotReadyError.
  const render = (p: PlaylistItem): Frame => {
    if (p.content.kind === 'image') {
      const s = pictureState.get(p.id) ?? 'ready';
      if (s === 'preparing') throw new ImageNotReadyError(p.content.image);
      if (s === 'unreadable') throw new PictureUnavailableError(p.content.image, 'it cannot be decoded');
    }
    return frameOf(p);
  };
  const errors: string[] = [];
  const scheduler = new SignScheduler({
    signId: 'TEST',
    controller: r.controller,
    clock,
    schedule: () => schedule,
    activeOverride: () => null,
    fallbackItems: () => fallbackPages,
    render,
    state,
    leaseMs: 30_000,
    clockOk: () => true,
    onError: (m) => errors.push(m),
  });
  r.controller.start();
  r.sign.announce();
  await waitFor('link up', () => r.controller.linkUp);
  const shown: string[] = [];
  const all = [...pages, ...fallbackPages];
  const onSign = () => all.find((p) => frameCrc32(frameOf(p)) === r.sign.status().showingCrc32)?.id ?? null;
  /** Ticks as the runtime does, recording every change of the page on the sign. */
  const run = async (ms: number, step = 250) => {
    const end = clock.now() + ms;
    while (clock.now() < end) {
      await scheduler.tick();
      r.controller.refreshLeases();
      await new Promise((res) => setImmediate(res));
      const now = onSign();
      if (now && shown.at(-1) !== now) shown.push(now);
      clock.advance(step);
    }
  };
  return { clock, scheduler, run, shown, errors };
}

describe('a picture being prepared keeps its turn', () => {
  it('the sign holds its page a few ticks, then shows the picture at its turn; nothing is passed over', async () => {
    const pictures = new Map<string, 'preparing' | 'ready' | 'unreadable'>([['poster', 'preparing']]);
    const h = await rig([info('kommun-1'), picture('poster'), info('kommun-2')], pictures);
    // kommun-1 first (a rotation picks the organisation), then the poster's turn comes while it is being decoded.
    await h.run(10_500);
    const before = [...h.shown];
    await h.run(2_000);
    expect(h.scheduler.cannotAir().map((c) => [c.itemId, c.code])).toEqual([['poster', 'picture-preparing']]);
    expect(h.shown).toEqual(before); // the page stayed; no other item took the poster's turn
    pictures.set('poster', 'ready');
    await h.run(1_000);
    expect(h.shown.at(-1)).toBe('poster');
    expect(h.scheduler.cannotAir()).toEqual([]);
    await h.run(60_000);
    expect(new Set(h.shown.slice(before.length - 1))).toEqual(new Set(['kommun-1', 'poster', 'kommun-2']));
    expect(h.errors).toEqual([]);
  });

  it(`a picture still not ready after ${PREPARE_WAIT_MS / 1000} s gives its turn away, and airs once it is ready`, async () => {
    const pictures = new Map<string, 'preparing' | 'ready' | 'unreadable'>([['poster', 'preparing']]);
    const h = await rig([picture('poster'), info('kommun-1')], pictures);
    await h.run(PREPARE_WAIT_MS + 15_000, 1_000);
    expect(h.shown).toContain('kommun-1');
    expect(h.shown).not.toContain('poster');
    expect(h.scheduler.cannotAir()).toMatchObject([{ itemId: 'poster', code: 'picture-preparing' }]);
    expect(h.errors.join('\n')).toMatch(/poster waited 30 s for its picture and is passed over until it is ready/);
    pictures.set('poster', 'ready');
    await h.run(90_000, 1_000);
    expect(h.shown).toContain('poster');
    expect(h.scheduler.cannotAir()).toEqual([]);
  });

  it('a picture that cannot be read is passed over at once, and said so', async () => {
    const pictures = new Map<string, 'preparing' | 'ready' | 'unreadable'>([['poster', 'unreadable']]);
    const h = await rig([picture('poster'), info('kommun-1')], pictures);
    await h.run(40_000, 1_000);
    expect(h.shown).not.toContain('poster');
    expect(h.shown).toContain('kommun-1');
    expect(h.scheduler.cannotAir()).toMatchObject([
      {
        itemId: 'poster',
        code: 'picture-unreadable',
        reason: 'picture img-poster cannot be read: it cannot be decoded',
      },
    ]);
  });
});

describe('the fallback loop never stalls on a picture', () => {
  it('a fallback page whose picture cannot be read is passed over, logged once, and named; the loop goes on', async () => {
    const pictures = new Map<string, 'preparing' | 'ready' | 'unreadable'>([['logo', 'unreadable']]);
    const h = await rig([], pictures, [info('fallback-a'), picture('logo'), info('fallback-b')]);
    await h.run(60_000, 500);
    // Before: the loop stayed on fallback-a for good, retrying (and logging) the picture four times a second.
    expect(h.shown.slice(0, 4)).toEqual(['fallback-a', 'fallback-b', 'fallback-a', 'fallback-b']);
    expect(h.shown).not.toContain('logo');
    expect(h.errors).toEqual([
      'sign TEST: item logo cannot be rendered and is passed over: picture img-logo cannot be read: it cannot be decoded',
    ]);
    expect(h.scheduler.cannotAir()).toMatchObject([
      { itemId: 'logo', title: 'img-logo', layer: 'fallback', code: 'picture-unreadable' },
    ]);
  });

  it('a fallback picture being prepared keeps its turn, then airs; nothing is logged', async () => {
    const pictures = new Map<string, 'preparing' | 'ready' | 'unreadable'>([['logo', 'preparing']]);
    const h = await rig([], pictures, [info('fallback-a'), picture('logo'), info('fallback-b')]);
    await h.run(12_000);
    expect(h.shown).toEqual(['fallback-a']); // the logo's turn came: fallback-a stays while it is decoded
    expect(h.scheduler.cannotAir()).toMatchObject([{ itemId: 'logo', layer: 'fallback', code: 'picture-preparing' }]);
    pictures.set('logo', 'ready');
    await h.run(25_000);
    expect(h.shown.slice(0, 3)).toEqual(['fallback-a', 'logo', 'fallback-b']);
    expect(h.scheduler.cannotAir()).toEqual([]);
    expect(h.errors).toEqual([]);
  });
});
