import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../signs/helpers.ts';
import { communicatorFetch, startTestApp, type TestApp } from './app-helpers.ts';

let t: TestApp | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

describe('operations endpoints', () => {
  it('serves Prometheus metrics named skylt_* with per-sign link counters and takeover latency', async () => {
    t = await startTestApp();
    const app = t;
    await waitFor('pages up', async () => {
      await app.runtime.tick();
      return [...app.runtime.signs.values()].every((s) => s.controller.showing());
    });
    const crisis = await communicatorFetch(app)('/api/crisis', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ template: 'gas' }),
    });
    expect(crisis.status).toBe(201);
    const res = await fetch(`${app.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    const value = (line: RegExp) => Number((text.match(line) ?? [])[1]);
    expect(value(/^skylt_bytes_sent_total\{sign="E20-N"\} (\d+)/m)).toBeGreaterThan(1000);
    expect(value(/^skylt_frames_sent_total\{sign="E20-S"\} (\d+)/m)).toBeGreaterThan(5);
    expect(value(/^skylt_link_up\{sign="E20-N"\} (\d+)/m)).toBe(1);
    expect(value(/^skylt_crisis_active (\d+)/m)).toBe(1);
    expect(value(/^skylt_crisis_takeover_seconds_count (\d+)/m)).toBe(1);
    expect(text).toContain('skylt_link_reconnects_total');
    expect(value(/^skylt_pending_items (\d+)/m)).toBe(0);
  });

  it('answers readiness with 200 when both links are up', async () => {
    t = await startTestApp();
    const app = t;
    await waitFor('links up', () => [...app.runtime.signs.values()].every((s) => s.controller.linkUp));
    const res = await fetch(`${app.url}/api/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ready: true, problems: [] });
  });
});
