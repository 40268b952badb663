import { type Frame, pixelValue, type Rgb, valueToRgb } from '../../render/frame.ts';

/**
 * 3waylabs DDP (Distributed Display Protocol, http://www.3waylabs.com/ddp/), as WLED and FPP accept
 * it: UDP to port 4048, a 10-byte header, then pixel bytes at a byte offset into the display.
 *
 * | byte | field |
 * |---|---|
 * | 0 | flags: version 1 (0x40), push (0x01) on the last packet of a frame |
 * | 1 | sequence number, low 4 bits, 1..15 (0 would mean "not used") |
 * | 2 | data type: 0b00 TTT SSS, RGB (TTT=1) with 8-bit elements (SSS=3) = 0x0B |
 * | 3 | destination id: 1 = the default output device |
 * | 4..7 | data offset in bytes, big-endian |
 * | 8..9 | data length in bytes, big-endian |
 */
export const DDP_PORT = 4048;
export const DDP_HEADER_BYTES = 10;
/** 480 RGB pixels: the common maximum, which keeps a packet inside one Ethernet frame. */
export const DDP_MAX_DATA_BYTES = 1440;
export const DDP_FLAG_VERSION_1 = 0x40;
export const DDP_FLAG_PUSH = 0x01;
/** WLED falls back to RGB for types it does not know, so the spec's own code is safe. */
export const DDP_TYPE_RGB24 = 0x0b;
export const DDP_ID_DISPLAY = 1;

export interface DdpHeader {
  flags: number;
  sequence: number;
  dataType: number;
  destination: number;
  offset: number;
  length: number;
}

/**
 * Splits one frame's RGB bytes into DDP packets. `sequence` (1..15) numbers the first packet and
 * counts on per packet, skipping 0; the caller keeps the next value. Push is set on the last packet
 * only, so a receiver shows the frame whole, never half old and half new.
 */
export function ddpPackets(
  rgb: Uint8Array,
  sequence: number,
  maxDataBytes = DDP_MAX_DATA_BYTES,
): { packets: Uint8Array[]; nextSequence: number } {
  // Whole pixels per packet: a receiver that maps packets to LEDs never splits a pixel.
  const step = Math.max(3, maxDataBytes - (maxDataBytes % 3));
  const packets: Uint8Array[] = [];
  let seq = normaliseSequence(sequence);
  for (let offset = 0; offset < rgb.length; offset += step) {
    const data = rgb.subarray(offset, offset + step);
    const last = offset + step >= rgb.length;
    const packet = new Uint8Array(DDP_HEADER_BYTES + data.length);
    const view = new DataView(packet.buffer);
    view.setUint8(0, DDP_FLAG_VERSION_1 | (last ? DDP_FLAG_PUSH : 0));
    view.setUint8(1, seq);
    view.setUint8(2, DDP_TYPE_RGB24);
    view.setUint8(3, DDP_ID_DISPLAY);
    view.setUint32(4, offset, false);
    view.setUint16(8, data.length, false);
    packet.set(data, DDP_HEADER_BYTES);
    packets.push(packet);
    seq = normaliseSequence(seq + 1);
  }
  return { packets, nextSequence: seq };
}

function normaliseSequence(n: number): number {
  const s = n & 0x0f;
  return s === 0 ? 1 : s;
}

export function parseDdpHeader(packet: Uint8Array): DdpHeader | null {
  if (packet.length < DDP_HEADER_BYTES) return null;
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  return {
    flags: view.getUint8(0),
    sequence: view.getUint8(1) & 0x0f,
    dataType: view.getUint8(2),
    destination: view.getUint8(3),
    offset: view.getUint32(4, false),
    length: view.getUint16(8, false),
  };
}

/**
 * The RGB bytes a pixel controller takes (row-major, as the panel is wired in Skylt's mapping), with
 * brightness applied here, since DDP has no brightness command. Mono pixels light in `monoColour`.
 */
export function frameToRgb(frame: Frame, brightnessPercent = 100, monoColour: Rgb = [255, 176, 0]): Uint8Array {
  const scale = Math.min(100, Math.max(0, brightnessPercent)) / 100;
  const out = new Uint8Array(frame.width * frame.height * 3);
  if (frame.format === 'rgb888' && scale === 1) {
    out.set(frame.bytes.subarray(0, out.length));
    return out;
  }
  let o = 0;
  for (let y = 0; y < frame.height; y++) {
    for (let x = 0; x < frame.width; x++) {
      const [r, g, b] = valueToRgb(pixelValue(frame, x, y), frame.format, monoColour);
      out[o++] = Math.round(r * scale);
      out[o++] = Math.round(g * scale);
      out[o++] = Math.round(b * scale);
    }
  }
  return out;
}
