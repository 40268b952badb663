import { crc32 as zlibCrc32 } from 'node:zlib';

/** CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF): cheap on a microcontroller, guards every bridge frame. */
const CRC16_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

export function crc16(data: Uint8Array, start = 0, end = data.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) {
    crc = ((crc << 8) & 0xffff) ^ (CRC16_TABLE[((crc >> 8) ^ (data[i] as number)) & 0xff] as number);
  }
  return crc;
}

/** CRC-32/ISO-HDLC (as zlib): identifies a slot's decoded framebuffer on both sides of the link. */
export function crc32(data: Uint8Array): number {
  return zlibCrc32(data) >>> 0;
}
