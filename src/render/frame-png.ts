import { createCanvas } from '@napi-rs/canvas';
import { type Frame, type Rgb, frameToRgba } from './frame.ts';

/** A PNG preview made from the exact framebuffer bytes (what goes to, or came from, the sign). */
export function framePng(frame: Frame, monoColour?: Rgb): Buffer {
  const canvas = createCanvas(frame.width, frame.height);
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(frame.width, frame.height);
  image.data.set(frameToRgba(frame, monoColour));
  ctx.putImageData(image, 0, 0);
  return canvas.toBuffer('image/png');
}
