import { MessageType } from './bridge-codec.ts';

/**
 * Payload layouts of PROTOCOL.md section 3, as field tables: the same table encodes and decodes,
 * so the two directions cannot drift apart.
 */
type FieldKind = 'u8' | 'u16' | 'u32';
type Layout = ReadonlyArray<readonly [string, FieldKind]>;

const LAYOUTS = {
  HELLO: [['protocolVersion', 'u8']],
  SLOT_BEGIN: [
    ['slot', 'u8'],
    ['format', 'u8'],
    ['encoding', 'u8'],
    ['width', 'u16'],
    ['height', 'u16'],
    ['encodedLength', 'u32'],
    ['crc32', 'u32'],
  ],
  SLOT_DATA: [
    ['slot', 'u8'],
    ['offset', 'u32'],
  ],
  SLOT_COMMIT: [['slot', 'u8']],
  PLAY: [
    ['slot', 'u8'],
    ['crc32', 'u32'],
    ['priority', 'u8'],
    ['ttlMs', 'u32'],
  ],
  BRIGHTNESS: [['percent', 'u8']],
  STATUS: [['querySlot', 'u8']],
  HEARTBEAT: [],
  HELLO_REPLY: [
    ['protocolVersion', 'u8'],
    ['width', 'u16'],
    ['height', 'u16'],
    ['formats', 'u8'],
    ['nativeFormat', 'u8'],
    ['slotCount', 'u8'],
    ['slotBytes', 'u32'],
    ['maxPayload', 'u16'],
    ['bootId', 'u32'],
    ['flags', 'u8'],
  ],
  ACK: [['code', 'u8']],
  NAK: [['reason', 'u8']],
  STATUS_REPORT: [
    ['showingSlot', 'u8'],
    ['showingCrc32', 'u32'],
    ['showingPriority', 'u8'],
    ['leaseLeftMs', 'u32'],
    ['brightness', 'u8'],
    ['photocell', 'u16'],
    ['bootId', 'u32'],
    ['uptimeMs', 'u32'],
    ['rxErrors', 'u32'],
    ['querySlot', 'u8'],
    ['queryValid', 'u8'],
    ['queryCrc32', 'u32'],
  ],
} as const satisfies Record<keyof typeof MessageType, Layout>;

type Fields<L extends Layout> = { -readonly [K in L[number] as K[0]]: number };
type WithType<N extends keyof typeof LAYOUTS> = { type: N } & Fields<(typeof LAYOUTS)[N]>;

export type HelloMessage = WithType<'HELLO'>;
export type SlotBeginMessage = WithType<'SLOT_BEGIN'>;
export type SlotDataMessage = WithType<'SLOT_DATA'> & { data: Uint8Array };
export type SlotCommitMessage = WithType<'SLOT_COMMIT'>;
export type PlayMessage = WithType<'PLAY'>;
export type BrightnessMessage = WithType<'BRIGHTNESS'>;
export type StatusMessage = WithType<'STATUS'>;
export type HeartbeatMessage = WithType<'HEARTBEAT'>;
export type HelloReplyMessage = WithType<'HELLO_REPLY'>;
export type AckMessage = WithType<'ACK'>;
export type NakMessage = WithType<'NAK'>;
export type StatusReportMessage = WithType<'STATUS_REPORT'>;

export type ControllerMessage =
  | HelloMessage
  | SlotBeginMessage
  | SlotDataMessage
  | SlotCommitMessage
  | PlayMessage
  | BrightnessMessage
  | StatusMessage
  | HeartbeatMessage;
export type SignMessage = HelloReplyMessage | AckMessage | NakMessage | StatusReportMessage;
export type BridgeMessage = ControllerMessage | SignMessage;

/** ACK result codes (PROTOCOL.md section 5). */
export const AckCode = {
  OK: 0,
  BAD_PAYLOAD: 1,
  NO_SUCH_SLOT: 2,
  BUSY: 3,
  TOO_BIG: 4,
  BAD_FORMAT: 5,
  CRC_MISMATCH: 6,
  BAD_OFFSET: 7,
  DECODE_ERROR: 8,
  UNKNOWN_TYPE: 9,
} as const;
export const ACK_CODE_NAMES = Object.fromEntries(Object.entries(AckCode).map(([k, v]) => [v, k])) as Record<
  number,
  string
>;

export const NakReason = { CORRUPT: 1, GAP: 2 } as const;

/** Priorities of a lease on the sign; 0 means "default slot or blank" in a STATUS_REPORT. */
export const Priority = { fallback: 1, scheduled: 2, override: 3, crisis: 4 } as const;
export type PriorityName = keyof typeof Priority;

export const NO_SLOT = 0xff;
export const TTL_FOREVER = 0xffffffff;

const SIZE: Record<FieldKind, number> = { u8: 1, u16: 2, u32: 4 };

function layoutSize(layout: Layout): number {
  return layout.reduce((n, [, kind]) => n + SIZE[kind], 0);
}

export function encodeMessage(message: BridgeMessage): { type: number; payload: Uint8Array } {
  const layout: Layout = LAYOUTS[message.type];
  const tail = message.type === 'SLOT_DATA' ? message.data : new Uint8Array(0);
  const payload = new Uint8Array(layoutSize(layout) + tail.length);
  const view = new DataView(payload.buffer);
  let o = 0;
  const values = message as unknown as Record<string, number>;
  for (const [name, kind] of layout) {
    const v = values[name];
    if (v === undefined || !Number.isInteger(v)) throw new TypeError(`${message.type}.${name} must be an integer`);
    if (kind === 'u8') view.setUint8(o, v);
    else if (kind === 'u16') view.setUint16(o, v, true);
    else view.setUint32(o, v >>> 0, true);
    o += SIZE[kind];
  }
  payload.set(tail, o);
  return { type: MessageType[message.type], payload };
}

const NAME_BY_CODE = new Map<number, keyof typeof LAYOUTS>(
  Object.entries(MessageType).map(([k, v]) => [v, k as keyof typeof LAYOUTS]),
);

/** Decodes a payload by its type code; null for an unknown type or a payload of the wrong length. */
export function decodeMessage(type: number, payload: Uint8Array): BridgeMessage | null {
  const name = NAME_BY_CODE.get(type);
  if (!name) return null;
  const layout: Layout = LAYOUTS[name];
  const fixed = layoutSize(layout);
  if (name === 'SLOT_DATA' ? payload.length <= fixed : payload.length !== fixed) return null;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const out: Record<string, unknown> = { type: name };
  let o = 0;
  for (const [field, kind] of layout) {
    out[field] = kind === 'u8' ? view.getUint8(o) : kind === 'u16' ? view.getUint16(o, true) : view.getUint32(o, true);
    o += SIZE[kind];
  }
  if (name === 'SLOT_DATA') out.data = payload.slice(fixed);
  return out as unknown as BridgeMessage;
}

export function messageTypeName(type: number): string {
  return NAME_BY_CODE.get(type) ?? `0x${type.toString(16)}`;
}
