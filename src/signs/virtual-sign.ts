import type { Clock } from '../domain/clock.ts';
import {
  type Frame,
  framebufferSize,
  PIXEL_FORMAT_CODE,
  type PixelFormat,
  pixelFormatFromCode,
  solidFrame,
} from '../render/frame.ts';
import { type BridgeFrame, encodeFrame, FrameParser, MAX_PAYLOAD, MessageType } from './bridge/bridge-codec.ts';
import { crc32 } from './bridge/crc.ts';
import {
  AckCode,
  type BridgeMessage,
  type ControllerMessage,
  decodeMessage,
  encodeMessage,
  NakReason,
  NO_SLOT,
  type SignMessage,
  TTL_FOREVER,
} from './bridge/messages.ts';
import { decodePrle, Encoding } from './bridge/prle.ts';

/** The panel a virtual sign emulates: what it announces in HELLO_REPLY. */
export interface PanelSpec {
  readonly width: number;
  readonly height: number;
  readonly format: PixelFormat;
  readonly slotCount: number;
  readonly slotBytes: number;
}

interface Slot {
  state: 'empty' | 'receiving' | 'valid';
  encoding: number;
  encodedLength: number;
  crc32: number;
  received: number;
  data: Uint8Array;
}

interface Lease {
  slot: number;
  crc32: number;
  expiresAt: number;
}

export interface SignStatus {
  showingSlot: number;
  showingCrc32: number;
  showingPriority: number;
  leaseLeftMs: number;
  brightness: number;
  bootId: number;
  uptimeMs: number;
  rxErrors: number;
}

/**
 * The sign side of the bridge, in TypeScript: Skylt's embedded default drives two of these over an
 * in-memory link. It follows PROTOCOL.md exactly like the C receiver in firmware-bridge/ (both pass
 * the same vectors), and its framebuffer is decoded from what arrived, not from what was meant.
 */
export class VirtualSign {
  private readonly parser = new FrameParser();
  private readonly slots: Slot[];
  private readonly leases = new Map<number, Lease>();
  private expected = 1;
  private last = 0;
  private brightness = 100;
  private rxErrors = 0;
  private bootAt: number;
  private shown: { slot: number; crc32: number; priority: number } = { slot: NO_SLOT, crc32: 0, priority: 0 };
  private panel: Frame;
  private readonly panelListeners = new Set<(panel: Frame, brightness: number) => void>();

  constructor(
    readonly spec: PanelSpec,
    private readonly clock: Clock,
    private readonly send: (wire: Uint8Array) => void,
    public bootId: number = randomBootId(),
  ) {
    this.slots = Array.from({ length: spec.slotCount }, emptySlot);
    this.bootAt = clock.now();
    this.panel = solidFrame(spec.width, spec.height, spec.format);
  }

  /**
   * Called whenever what the panel shows changes (frame or brightness): a panel driver hooks in here,
   * as the DDP output does. Lease expiry is noticed when the sign next looks (any message, a STATUS,
   * or `framebuffer()`), so a driver that polls `framebuffer()` sees it too. Returns an unsubscribe.
   */
  onPanel(listener: (panel: Frame, brightness: number) => void): () => void {
    this.panelListeners.add(listener);
    return () => this.panelListeners.delete(listener);
  }

  get brightnessPercent(): number {
    return this.brightness;
  }

  /** Announces the sign, as a real sign does when it boots or a link comes up. */
  announce(): void {
    this.reply({ type: 'HELLO_REPLY', ...this.capabilities() }, 0);
  }

  /** Power cycle: volatile slots and leases are lost; slot 0 is non-volatile (commissioned default). */
  reboot(bootId: number = randomBootId()): void {
    for (let i = 1; i < this.slots.length; i++) this.slots[i] = emptySlot();
    if (this.slots[0]?.state === 'receiving') this.slots[0] = emptySlot();
    this.leases.clear();
    this.expected = 1;
    this.last = 0;
    this.rxErrors = 0;
    this.brightness = 100;
    this.bootId = bootId;
    this.bootAt = this.clock.now();
    this.parser.reset();
    this.evaluate();
    this.notify();
    this.announce();
  }

  /** Bytes from the link. Never throws: hostile input is counted and NAKed. */
  receive(chunk: Uint8Array): void {
    for (const result of this.parser.push(chunk)) {
      if ('defect' in result) {
        this.rxErrors++;
        this.reply({ type: 'NAK', reason: NakReason.CORRUPT }, this.last);
      } else this.handle(result.frame);
    }
  }

  /** What the panel shows right now: the framebuffer, after any lease that ran out. */
  framebuffer(): Frame {
    this.evaluate();
    return this.panel;
  }

  status(): SignStatus {
    this.evaluate();
    const lease = this.shown.priority ? this.leases.get(this.shown.priority) : undefined;
    const left =
      lease && Number.isFinite(lease.expiresAt) ? Math.max(0, lease.expiresAt - this.clock.now()) : TTL_FOREVER;
    return {
      showingSlot: this.shown.slot,
      showingCrc32: this.shown.crc32,
      showingPriority: this.shown.priority,
      leaseLeftMs: left,
      brightness: this.brightness,
      bootId: this.bootId,
      uptimeMs: (this.clock.now() - this.bootAt) >>> 0,
      rxErrors: this.rxErrors,
    };
  }

  private capabilities() {
    return {
      protocolVersion: 1,
      width: this.spec.width,
      height: this.spec.height,
      formats: 1 << (PIXEL_FORMAT_CODE[this.spec.format] - 1),
      nativeFormat: PIXEL_FORMAT_CODE[this.spec.format],
      slotCount: this.spec.slotCount,
      slotBytes: this.spec.slotBytes,
      maxPayload: MAX_PAYLOAD,
      bootId: this.bootId,
      flags: 0,
    };
  }

  private handle(frame: BridgeFrame): void {
    if (frame.type === MessageType.HELLO) {
      this.expected = 1;
      this.last = 0;
      for (let i = 0; i < this.slots.length; i++) if (this.slots[i]?.state === 'receiving') this.slots[i] = emptySlot();
      this.reply({ type: 'HELLO_REPLY', ...this.capabilities() }, 0);
      return;
    }
    const d = (frame.seq - this.expected) & 0xff;
    if (d >= 128) {
      this.reply({ type: 'ACK', code: AckCode.OK }, this.last);
      return;
    }
    if (d !== 0) {
      this.reply({ type: 'NAK', reason: NakReason.GAP }, this.last);
      return;
    }
    this.last = frame.seq;
    this.expected = (frame.seq + 1) & 0xff;
    const message = decodeMessage(frame.type, frame.payload);
    const controllerType = frame.type > MessageType.HELLO && frame.type <= MessageType.HEARTBEAT;
    const code = !controllerType ? AckCode.UNKNOWN_TYPE : message ? this.process(message) : AckCode.BAD_PAYLOAD;
    this.reply({ type: 'ACK', code }, this.last);
    if (message?.type === 'STATUS' && code === AckCode.OK) {
      const s = this.status();
      const q = message.querySlot === NO_SLOT ? undefined : this.slots[message.querySlot];
      this.reply(
        {
          type: 'STATUS_REPORT',
          ...s,
          photocell: 0xffff,
          querySlot: message.querySlot,
          queryValid: q?.state === 'valid' ? 1 : 0,
          queryCrc32: q?.state === 'valid' ? q.crc32 : 0,
        },
        this.last,
      );
    }
  }

  private process(message: BridgeMessage): number {
    this.evaluate();
    switch ((message as ControllerMessage).type) {
      case 'SLOT_BEGIN': {
        const m = message as Extract<ControllerMessage, { type: 'SLOT_BEGIN' }>;
        if (m.slot >= this.slots.length) return AckCode.NO_SUCH_SLOT;
        if (
          pixelFormatFromCode(m.format) !== this.spec.format ||
          m.width !== this.spec.width ||
          m.height !== this.spec.height ||
          (m.encoding !== Encoding.raw && m.encoding !== Encoding.prle)
        )
          return AckCode.BAD_FORMAT;
        if (m.encodedLength === 0) return AckCode.BAD_PAYLOAD;
        if (m.encodedLength > this.spec.slotBytes) return AckCode.TOO_BIG;
        // PROTOCOL.md section 7: a raw upload is exactly one framebuffer, refused at once otherwise.
        if (
          m.encoding === Encoding.raw &&
          m.encodedLength !== framebufferSize(this.spec.width, this.spec.height, this.spec.format)
        )
          return AckCode.BAD_PAYLOAD;
        if (this.inUse(m.slot)) return AckCode.BUSY;
        this.slots[m.slot] = {
          state: 'receiving',
          encoding: m.encoding,
          encodedLength: m.encodedLength,
          crc32: m.crc32,
          received: 0,
          data: new Uint8Array(m.encodedLength),
        };
        return AckCode.OK;
      }
      case 'SLOT_DATA': {
        const m = message as Extract<ControllerMessage, { type: 'SLOT_DATA' }>;
        const slot = this.slots[m.slot];
        if (!slot) return AckCode.NO_SUCH_SLOT;
        if (slot.state !== 'receiving' || m.offset !== slot.received || m.offset + m.data.length > slot.encodedLength)
          return AckCode.BAD_OFFSET;
        slot.data.set(m.data, m.offset);
        slot.received += m.data.length;
        return AckCode.OK;
      }
      case 'SLOT_COMMIT': {
        const m = message as Extract<ControllerMessage, { type: 'SLOT_COMMIT' }>;
        const slot = this.slots[m.slot];
        if (!slot) return AckCode.NO_SUCH_SLOT;
        if (slot.state !== 'receiving' || slot.received !== slot.encodedLength) return AckCode.BAD_OFFSET;
        const decoded = this.decode(slot);
        if (!decoded) {
          this.slots[m.slot] = emptySlot();
          return AckCode.DECODE_ERROR;
        }
        if (crc32(decoded) !== slot.crc32) {
          this.slots[m.slot] = emptySlot();
          return AckCode.CRC_MISMATCH;
        }
        slot.state = 'valid';
        return AckCode.OK;
      }
      case 'PLAY': {
        const m = message as Extract<ControllerMessage, { type: 'PLAY' }>;
        if (m.priority < 1 || m.priority > 4) return AckCode.BAD_PAYLOAD;
        if (m.ttlMs === 0) {
          this.leases.delete(m.priority);
          this.evaluate();
          return AckCode.OK;
        }
        const slot = this.slots[m.slot];
        if (!slot) return AckCode.NO_SUCH_SLOT;
        if (slot.state !== 'valid' || slot.crc32 !== m.crc32) return AckCode.CRC_MISMATCH;
        const expiresAt = m.ttlMs === TTL_FOREVER ? Number.POSITIVE_INFINITY : this.clock.now() + m.ttlMs;
        this.leases.set(m.priority, { slot: m.slot, crc32: m.crc32, expiresAt });
        this.evaluate();
        return AckCode.OK;
      }
      case 'BRIGHTNESS': {
        const m = message as Extract<ControllerMessage, { type: 'BRIGHTNESS' }>;
        if (m.percent > 100) return AckCode.BAD_PAYLOAD;
        const changed = this.brightness !== m.percent;
        this.brightness = m.percent;
        if (changed) this.notify();
        return AckCode.OK;
      }
      case 'STATUS':
      case 'HEARTBEAT':
        return AckCode.OK;
      default:
        return AckCode.UNKNOWN_TYPE;
    }
  }

  private decode(slot: Slot): Uint8Array | null {
    const { width, height, format } = this.spec;
    if (slot.encoding === Encoding.raw) {
      return slot.data.length === framebufferSize(width, height, format) ? slot.data : null;
    }
    return decodePrle(slot.data, width, height, format);
  }

  private inUse(slot: number): boolean {
    if (this.shown.slot === slot) return true;
    for (const lease of this.leases.values()) if (lease.slot === slot) return true;
    return false;
  }

  /** Drops leases that ran out and puts the winner on the panel (double-buffered: decode, then swap). */
  private evaluate(): void {
    const now = this.clock.now();
    for (const [priority, lease] of this.leases) if (lease.expiresAt <= now) this.leases.delete(priority);
    let next = { slot: NO_SLOT, crc32: 0, priority: 0 };
    const top = Math.max(0, ...this.leases.keys());
    const lease = this.leases.get(top);
    if (lease) next = { slot: lease.slot, crc32: lease.crc32, priority: top };
    else if (this.slots[0]?.state === 'valid') next = { slot: 0, crc32: this.slots[0].crc32, priority: 0 };
    if (next.slot === this.shown.slot && next.crc32 === this.shown.crc32 && next.priority === this.shown.priority)
      return;
    const slot = next.slot === NO_SLOT ? undefined : this.slots[next.slot];
    const bytes = slot ? this.decode(slot) : null;
    const { width, height, format } = this.spec;
    this.panel = bytes ? { width, height, format, bytes: bytes.slice() } : solidFrame(width, height, format);
    this.shown = bytes ? next : { slot: NO_SLOT, crc32: 0, priority: 0 };
    this.notify();
  }

  private notify(): void {
    for (const l of this.panelListeners) l(this.panel, this.brightness);
  }

  private reply(message: SignMessage, ack: number): void {
    const { type, payload } = encodeMessage(message);
    this.send(encodeFrame({ type, seq: 0, ack, payload }));
  }
}

function emptySlot(): Slot {
  return { state: 'empty', encoding: 0, encodedLength: 0, crc32: 0, received: 0, data: new Uint8Array(0) };
}

function randomBootId(): number {
  return (Math.random() * 0xffffffff) >>> 0;
}
