import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { type Frame, frameCrc32, setPixelValue, solidFrame } from '../../src/render/frame.ts';
import { SMALL_PANEL, virtualRig, waitFor } from './helpers.ts';

function pattern(seed: number): Frame {
  const f = solidFrame(SMALL_PANEL.width, SMALL_PANEL.height, 'rgb888');
  for (let x = 0; x < 20; x++) setPixelValue(f.bytes, f.width, f.format, (x * seed) % f.width, x % f.height, 0xffffff);
  return f;
}

const rigs: Array<ReturnType<typeof virtualRig>> = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.controller.stop();
});

describe('SignController over a virtual sign', () => {
  it('uploads a frame, plays it, and the sign shows exactly those bytes', async () => {
    const rig = virtualRig();
    rigs.push(rig);
    rig.controller.start();
    await waitFor('link up', () => rig.controller.linkUp);
    const frame = pattern(7);
    await rig.controller.show({ frame, priority: 'scheduled', ttlMs: 30_000, itemId: 'a' });
    expect(Buffer.from(rig.sign.framebuffer().bytes).equals(Buffer.from(frame.bytes))).toBe(true);
    expect(rig.sign.status().showingPriority).toBe(2);
    expect(rig.controller.showing()).toMatchObject({ priority: 'scheduled', itemId: 'a', crc32: frameCrc32(frame) });
  });

  it('reuses the slot of a frame already uploaded', async () => {
    const rig = virtualRig();
    rigs.push(rig);
    rig.controller.start();
    await waitFor('link up', () => rig.controller.linkUp);
    await rig.controller.show({ frame: pattern(3), priority: 'scheduled', ttlMs: 30_000, itemId: 'a' });
    await rig.controller.show({ frame: pattern(5), priority: 'scheduled', ttlMs: 30_000, itemId: 'b' });
    const before = rig.bridge.stats.bytesSent;
    await rig.controller.show({ frame: pattern(3), priority: 'scheduled', ttlMs: 30_000, itemId: 'a' });
    // Only a PLAY (about 20 bytes) crosses the link the second time.
    expect(rig.bridge.stats.bytesSent - before).toBeLessThan(40);
    expect(Buffer.from(rig.sign.framebuffer().bytes).equals(Buffer.from(pattern(3).bytes))).toBe(true);
  });

  it('falls back to the default slot when the controller stops refreshing the lease', async () => {
    const clock = new ManualClock(Date.parse('2026-12-01T12:00:00Z'));
    const rig = virtualRig(SMALL_PANEL, clock);
    rigs.push(rig);
    rig.controller.start();
    await waitFor('link up', () => rig.controller.linkUp);
    await rig.controller.show({ frame: pattern(3), priority: 'scheduled', ttlMs: 30_000, itemId: 'a' });
    rig.controller.setDefaultFrame(pattern(11));
    await waitFor('default slot commissioned', async () => (await rig.controller.readBack(0)).queryValid === 1);
    clock.advance(31_000);
    expect(Buffer.from(rig.sign.framebuffer().bytes).equals(Buffer.from(pattern(11).bytes))).toBe(true);
    expect(rig.sign.status().showingSlot).toBe(0);
  });
});
