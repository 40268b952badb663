/**
 * `render`: a 384x192 event page from item content to framebuffer bytes (template, text fitting, drawing,
 * quantisation into rgb888), against the floor of any canvas renderer: one fill and one getImageData of
 * the same size, measured in the same run.
 */
import { createCanvas } from '@napi-rs/canvas';
import type { ItemContent } from '../src/domain/item-content.ts';
import { renderItem } from '../src/render/render-item.ts';
import { signProfile } from '../src/render/sign-profile.ts';
import { type Benchmark, median, timeRounds } from './lib.ts';

const SIGN = signProfile({ id: 'E20-N', width: 384, height: 192, format: 'rgb888', pixelPitchMm: 16 });

const EVENT: ItemContent = {
  kind: 'event',
  title: 'Julkonsert',
  performer: 'Vara Kammarkör',
  startsAt: '2026-12-12T19:00:00+01:00',
  venue: 'Vara Konserthus',
  organiser: 'konserthus',
};

const FRAMES_PER_ROUND = 20;
const ROUNDS = 25;

export default {
  name: 'render',
  async run() {
    const bare = createCanvas(SIGN.width, SIGN.height);
    const bareCtx = bare.getContext('2d');
    let sink = 0;
    const renderRound = () => {
      for (let i = 0; i < FRAMES_PER_ROUND; i++) sink ^= renderItem(EVENT, SIGN).frame.bytes[i] ?? 0;
    };
    const bareRound = () => {
      for (let i = 0; i < FRAMES_PER_ROUND; i++) {
        bareCtx.fillStyle = i & 1 ? '#000' : '#010101';
        bareCtx.fillRect(0, 0, SIGN.width, SIGN.height);
        sink ^= bareCtx.getImageData(0, 0, SIGN.width, SIGN.height).data[i] ?? 0;
      }
    };
    // Interleave the two so that a noisy neighbour on this shared machine hits both alike.
    const pipeline: number[] = [];
    const floor: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      pipeline.push(...(await timeRounds(1, renderRound, r === 0 ? 3 : 0)));
      floor.push(...(await timeRounds(1, bareRound, r === 0 ? 3 : 0)));
    }
    const perFrame = median(pipeline) / FRAMES_PER_ROUND;
    const perBare = median(floor) / FRAMES_PER_ROUND;
    if (sink === -1) console.log(sink);
    return {
      frames_per_second: 1000 / perFrame,
      pipeline_vs_bare_canvas_ratio: perFrame / perBare,
      ms_per_frame: perFrame,
      bare_canvas_ms: perBare,
    };
  },
} satisfies Benchmark;
