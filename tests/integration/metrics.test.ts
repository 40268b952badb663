import { afterEach, describe, expect, it } from 'vitest';
import { build, type TestApp } from '../helper.ts';
import { waitFor } from '../signs/helpers.ts';

let t: TestApp | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

describe('operations endpoints', () => {
  it('serves Prometheus metrics named skylt_* with per-sign link counters and takeover latency', async () => {
    t = await build();
    const app = t;
    await waitFor('pages up', async () => {
      await app.runtime.tick();
      return [...app.runtime.signs.values()].every((s) => s.controller.showing());
    });
    const crisis = await app.token('communicator', 'kommun', 'communicator').post('/api/crisis', { template: 'gas' });
    expect(crisis.status).toBe(201);
    const res = await app.anonymous().get('/metrics');
    expect(res.status).toBe(200);
    const text = res.body as string;
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
    t = await build();
    const app = t;
    await waitFor('links up', () => [...app.runtime.signs.values()].every((s) => s.controller.linkUp));
    const res = await app.anonymous().get('/api/ready');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ready: true, problems: [] });
  });
});
