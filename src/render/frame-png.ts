import { createCanvas } from '@napi-rs/canvas';
import { type Frame, frameToRgba, pixelValue, type Rgb, valueToRgb } from './frame.ts';

/**
 * A PNG preview made from the exact framebuffer bytes that go to the sign (decoded by frameToRgba), never
 * from the canvas the page was drawn on: what a reviewer approves is what the sign shows.
 */
export function framePng(frame: Frame, monoColour?: Rgb): Buffer {
  const canvas = createCanvas(frame.width, frame.height);
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(frame.width, frame.height);
  image.data.set(frameToRgba(frame, monoColour));
  ctx.putImageData(image, 0, 0);
  return canvas.encodeSync('png');
}

/**
 * Share of the page per colour as the sign shows it, in bins of 16 levels a channel (so the thousand
 * shades of a photographed sky count as one colour), each bin reported with its mean colour; largest first,
 * bins under 0.1 % left out.
 */
export function framePalette(frame: Frame, monoColour?: Rgb): { rgb: Rgb; share: number }[] {
  const bins = new Map<number, [number, number, number, number]>();
  const mono = monoColour ?? [255, 176, 0];
  for (let y = 0; y < frame.height; y++) {
    for (let x = 0; x < frame.width; x++) {
      const [r, g, b] = valueToRgb(pixelValue(frame, x, y), frame.format, mono);
      const key = ((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4);
      const bin = bins.get(key);
      if (bin) {
        bin[0] += r;
        bin[1] += g;
        bin[2] += b;
        bin[3]++;
      } else bins.set(key, [r, g, b, 1]);
    }
  }
  const total = frame.width * frame.height;
  return [...bins.values()]
    .filter((b) => b[3] / total >= 0.001)
    .sort((a, b) => b[3] - a[3])
    .map(([r, g, b, n]) => ({
      rgb: [Math.round(r / n), Math.round(g / n), Math.round(b / n)] as Rgb,
      share: n / total,
    }));
}
