import { describe, expect, it } from 'vitest';
import { renderItem } from '../../src/render/render-item.ts';
import { signProfile } from '../../src/render/sign-profile.ts';
import { Encoding, encodeForSlot } from '../../src/signs/bridge/prle.ts';

const E20 = signProfile({ id: 'E20-N', width: 384, height: 192, format: 'rgb888', pixelPitchMm: 16 });
const LINE_BYTES_PER_SECOND = 11_520; // 115200 baud, 10 bits a byte

describe('crisis page on a slow serial line', () => {
  for (const text of [
    { headline: 'Brand i industribyggnad', instruction: 'Stäng fönster' },
    { headline: 'Lyssna på', instruction: 'Sveriges Radio P4' },
    { headline: 'Gasutsläpp', instruction: 'Gå inomhus och stäng fönster' },
  ]) {
    it(`"${text.headline}" compresses to cross 115200 baud in under 2 s (raw would take 19 s)`, () => {
      const { frame } = renderItem({ kind: 'crisis', ...text }, E20);
      const slot = encodeForSlot(frame);
      expect(slot.encoding).toBe(Encoding.prle);
      expect(slot.data.length / LINE_BYTES_PER_SECOND).toBeLessThan(2);
    });
  }
});
