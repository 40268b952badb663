import { cobsDecode, cobsEncode } from './cobs.ts';
import { crc16 } from './crc.ts';

/** Wire constants of PROTOCOL.md section 1. */
export const PROTOCOL_VERSION = 1;
export const MAX_PAYLOAD = 1024;
/** Largest legal body (6 + 1024 + 2) plus its COBS overhead, rounded up: anything longer is garbage. */
export const MAX_ENCODED = 1040;
const HEADER = 6;

export const MessageType = {
  HELLO: 0x01,
  SLOT_BEGIN: 0x02,
  SLOT_DATA: 0x03,
  SLOT_COMMIT: 0x04,
  PLAY: 0x05,
  BRIGHTNESS: 0x06,
  STATUS: 0x07,
  HEARTBEAT: 0x08,
  HELLO_REPLY: 0x81,
  ACK: 0x82,
  NAK: 0x83,
  STATUS_REPORT: 0x84,
} as const;
export type MessageTypeName = keyof typeof MessageType;

/** One decoded bridge frame: header fields plus the raw payload. */
export interface BridgeFrame {
  readonly type: number;
  readonly seq: number;
  readonly ack: number;
  readonly payload: Uint8Array;
}

/** Encodes a frame for the wire: COBS(body) followed by the 0x00 delimiter. */
export function encodeFrame(frame: BridgeFrame): Uint8Array {
  if (frame.payload.length > MAX_PAYLOAD) {
    throw new RangeError(`bridge payload of ${frame.payload.length} bytes exceeds MAX_PAYLOAD ${MAX_PAYLOAD}`);
  }
  const body = new Uint8Array(HEADER + frame.payload.length + 2);
  body[0] = PROTOCOL_VERSION;
  body[1] = frame.type;
  body[2] = frame.seq & 0xff;
  body[3] = frame.ack & 0xff;
  body[4] = frame.payload.length & 0xff;
  body[5] = frame.payload.length >> 8;
  body.set(frame.payload, HEADER);
  const crc = crc16(body, 0, HEADER + frame.payload.length);
  body[HEADER + frame.payload.length] = crc & 0xff;
  body[HEADER + frame.payload.length + 1] = crc >> 8;
  const encoded = cobsEncode(body);
  const wire = new Uint8Array(encoded.length + 1);
  wire.set(encoded);
  return wire;
}

export type FrameDefect = 'cobs' | 'length' | 'version' | 'crc';

/** Decodes one COBS block (delimiter removed). Returns the frame, or the defect that makes the receiver drop it. */
export function decodeFrame(encoded: Uint8Array): BridgeFrame | FrameDefect {
  const body = cobsDecode(encoded);
  if (!body) return 'cobs';
  if (body.length < HEADER + 2) return 'length';
  const len = (body[4] as number) | ((body[5] as number) << 8);
  if (len > MAX_PAYLOAD || body.length !== HEADER + len + 2) return 'length';
  const crc = (body[HEADER + len] as number) | ((body[HEADER + len + 1] as number) << 8);
  if (crc16(body, 0, HEADER + len) !== crc) return 'crc';
  if (body[0] !== PROTOCOL_VERSION) return 'version';
  return {
    type: body[1] as number,
    seq: body[2] as number,
    ack: body[3] as number,
    payload: body.slice(HEADER, HEADER + len),
  };
}

export type ParseResult = { frame: BridgeFrame } | { defect: FrameDefect | 'oversize' };

/**
 * Reassembles frames from a byte stream that arrives in arbitrary chunks: a frame split across
 * reads, garbage before a frame, or an endless run of non-zero bytes (bounded by MAX_ENCODED).
 */
export class FrameParser {
  private readonly buffer = new Uint8Array(MAX_ENCODED);
  private length = 0;
  private overflowed = false;

  push(chunk: Uint8Array): ParseResult[] {
    const out: ParseResult[] = [];
    for (const byte of chunk) {
      if (byte !== 0) {
        if (this.length < MAX_ENCODED) this.buffer[this.length++] = byte;
        else this.overflowed = true;
        continue;
      }
      if (this.overflowed) out.push({ defect: 'oversize' });
      else if (this.length > 0) {
        const result = decodeFrame(this.buffer.subarray(0, this.length));
        out.push(typeof result === 'string' ? { defect: result } : { frame: result });
      }
      this.length = 0;
      this.overflowed = false;
    }
    return out;
  }

  reset(): void {
    this.length = 0;
    this.overflowed = false;
  }
}
