import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { frameToRgba } from '../../src/render/frame.ts';
import { GENERIC_CRISIS, renderCrisisPage, renderItemForSign } from '../../src/render/sign-page.ts';
import { build, type TestApp } from '../helper.ts';
import { communicatorFetch, decodePng } from '../integration/app-helpers.ts';
import { waitFor } from '../signs/helpers.ts';

let apps: TestApp[] = [];
afterEach(async () => {
  for (const a of apps) await a.close().catch(() => undefined);
  apps = [];
});

async function started(env: Record<string, string> = {}): Promise<TestApp> {
  const app = await build({ env: env, listen: true });
  apps.push(app);
  await waitFor('fallback page on both signs', async () => {
    await app.runtime.tick();
    return [...app.runtime.signs.values()].every((s) => s.controller.showing()?.priority === 'fallback');
  });
  // The generic crisis frame is uploaded into its reserved slot when the link comes up.
  await waitFor('generic crisis slot ready', async () => {
    for (const s of app.runtime.signs.values()) if ((await s.controller.readBack(1)).queryValid !== 1) return false;
    return true;
  });
  return app;
}

async function mirror(app: TestApp, signId: string): Promise<Buffer> {
  const res = await fetch(`${app.url}/api/signs/${signId}/frame.png`);
  return Buffer.from(decodePng(Buffer.from(await res.arrayBuffer())).rgba);
}

function expectedCrisis(app: TestApp, signId: string, text: { headline: string; instruction: string }): Buffer {
  const s = app.runtime.signs.get(signId);
  if (!s) throw new Error(signId);
  return Buffer.from(frameToRgba(renderCrisisPage(text, s.surface)));
}

function expectedFallback(app: TestApp, signId: string): Buffer {
  const s = app.runtime.signs.get(signId);
  const id = s?.controller.heldLease('fallback')?.itemId;
  const item = app.runtime.playlistFile.items.find((i) => i.id === id);
  if (!s || !item) throw new Error('no fallback page');
  return Buffer.from(frameToRgba(renderItemForSign(item, s.surface)));
}

const clients = new WeakMap<TestApp, ReturnType<typeof communicatorFetch>>();
const api = (app: TestApp) => {
  if (!clients.has(app)) clients.set(app, communicatorFetch(app));
  return clients.get(app) as ReturnType<typeof communicatorFetch>;
};
const post = (app: TestApp, path: string, body?: unknown) =>
  api(app)(path, {
    method: 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('manual crisis', () => {
  it('takes over both signs, confirmed by read-back, and the all-clear returns them to the schedule', async () => {
    const app = await started();
    const res = await post(app, '/api/crisis', { template: 'gas', durationMinutes: 60 });
    expect(res.status).toBe(201);
    const crisis = (await res.json()) as {
      id: string;
      takeoverMs: number;
      confirmations: Record<string, { specificMs: number | null; error: string | null }>;
    };
    const text = { headline: 'Gasutsläpp', instruction: 'Stäng fönster' };
    for (const id of ['E20-N', 'E20-S']) {
      expect((await mirror(app, id)).equals(expectedCrisis(app, id, text))).toBe(true);
      expect(crisis.confirmations[id]?.specificMs).toBeGreaterThan(0);
    }
    expect(crisis.takeoverMs).toBeGreaterThan(0);

    const state = (await (await api(app)('/api/crisis')).json()) as {
      active: boolean;
      crisis: { id: string; headline: string };
    };
    expect(state).toMatchObject({ active: true, crisis: { id: crisis.id, headline: text.headline } });
    const health = (await (await fetch(`${app.url}/api/health`)).json()) as {
      signs: Array<{ showing: { priority: string } }>;
    };
    expect(health.signs.map((s) => s.showing.priority)).toEqual(['crisis', 'crisis']);

    const end = await post(app, `/api/crisis/${crisis.id}/end`, { reason: 'all-clear from räddningstjänsten' });
    expect(end.status).toBe(200);
    for (const id of ['E20-N', 'E20-S']) expect((await mirror(app, id)).equals(expectedFallback(app, id))).toBe(true);
    expect(((await (await api(app)('/api/crisis')).json()) as { active: boolean }).active).toBe(false);

    const audit = app.runtime.audit.list({ subject: crisis.id }).map((e) => e.action);
    expect(audit).toEqual(['crisis.end', 'crisis.start']);
  });

  it('targets one sign with free text, and refuses bad requests with a reason', async () => {
    const app = await started();
    const res = await post(app, '/api/crisis', {
      headline: 'Olycka på E20',
      instruction: 'Kör försiktigt',
      signs: ['E20-S'],
    });
    expect(res.status).toBe(201);
    expect(
      (await mirror(app, 'E20-S')).equals(
        expectedCrisis(app, 'E20-S', { headline: 'Olycka på E20', instruction: 'Kör försiktigt' }),
      ),
    ).toBe(true);
    expect((await mirror(app, 'E20-N')).equals(expectedFallback(app, 'E20-N'))).toBe(true);

    const noText = await post(app, '/api/crisis', { headline: 'Bara rubrik' });
    expect(noText.status).toBe(400);
    expect(((await noText.json()) as { message: string }).message).toContain('headline and instruction');
    const badSign = await post(app, '/api/crisis', { template: 'gas', signs: ['E6-X'] });
    expect(badSign.status).toBe(400);
    expect(((await badSign.json()) as { message: string }).message).toContain('unknown sign E6-X');
    const tooLong = await post(app, '/api/crisis', {
      headline: 'Farligt utsläpp av gas från industriområdet',
      instruction: 'Stäng fönster, dörrar och ventilation och stanna inomhus',
    });
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as { message: string }).message).toMatch(/shorten/);
    const unknown = await post(app, '/api/crisis/crisis-nope/end');
    expect(unknown.status).toBe(404);
  });

  it('previews the exact crisis page for a sign before it is started, and explains a text that does not fit', async () => {
    const app = await started();
    const text = { headline: 'Gasutsläpp', instruction: 'Stäng fönster' };
    const res = await post(app, '/api/crisis/preview.png?sign=E20-N', text);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(decodePng(Buffer.from(await res.arrayBuffer())).rgba);
    expect(png.equals(expectedCrisis(app, 'E20-N', text))).toBe(true);
    expect(app.runtime.crisis.active()).toBeNull();

    const tooLong = await post(app, '/api/crisis/preview.png?sign=E20-N', {
      headline: 'Farligt utsläpp av gas från industriområdet',
      instruction: 'Stäng fönster, dörrar och ventilation och stanna inomhus',
    });
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as { message: string }).message).toMatch(/shorten/);
    expect((await post(app, '/api/crisis/preview.png?sign=E6-X', text)).status).toBe(404);
  });

  it('ends by itself at its expiry', async () => {
    const app = await started();
    const res = await post(app, '/api/crisis', { template: 'vma-p4', durationMinutes: 1 });
    const { id } = (await res.json()) as { id: string };
    app.clock.advance(61_000);
    await app.runtime.tick();
    expect(app.runtime.crisis.get(id)).toMatchObject({ state: 'ended', endedReason: 'expired' });
    expect(app.runtime.signs.get('E20-N')?.controller.showing()?.priority).not.toBe('crisis');
  });

  it('survives a restart of Skylt: the crisis is re-asserted on both signs at start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'skylt-restart-'));
    const first = await started({ SKYLT_DATA_DIR: dataDir });
    const res = await post(first, '/api/crisis', { template: 'fire' });
    const { id } = (await res.json()) as { id: string };
    await first.close();
    apps = apps.filter((a) => a !== first);

    const second = await build({ env: { SKYLT_DATA_DIR: dataDir }, listen: true });
    apps.push(second);
    const text = { headline: 'Kraftig rök', instruction: 'Stäng fönster' };
    await waitFor('crisis back on both signs', async () => {
      await second.runtime.tick();
      for (const s of ['E20-N', 'E20-S'])
        if (!(await mirror(second, s)).equals(expectedCrisis(second, s, text))) return false;
      return true;
    });
    const state = (await (await api(second)('/api/crisis')).json()) as { crisis: { id: string } };
    expect(state.crisis.id).toBe(id);
  });

  it('keeps a generic crisis frame that reads "lyssna på P4"', () => {
    expect(GENERIC_CRISIS.instruction).toContain('P4');
  });
});
