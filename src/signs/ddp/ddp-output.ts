import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { crc32 } from 'node:zlib';
import type { Frame, Rgb } from '../../render/frame.ts';
import { DDP_MAX_DATA_BYTES, DDP_PORT, ddpPackets, frameToRgb } from './ddp-packets.ts';

export interface DdpOutputOptions {
  host: string;
  port?: number;
  /**
   * The current frame is sent again this often. UDP loses packets, and WLED drops out of realtime
   * mode (back to its own effects) after a few seconds without data: 1 s keeps both in hand.
   */
  keepAliveMs?: number;
  maxDataBytes?: number;
  monoColour?: Rgb;
  /** Runs before each periodic re-send (the DDP sign adapter lets its lease clock run here). */
  onTick?: () => void;
}

export interface DdpStats {
  framesSent: number;
  packetsSent: number;
  bytesSent: number;
  sendErrors: number;
}

/**
 * Stream mode for pixel controllers with no slot memory (WLED, FPP): the whole frame goes out as
 * DDP packets when it changes (at once: a crisis frame is not held back) and again periodically.
 * All packets of a frame are handed to the socket in one go, so frames never interleave.
 */
export class DdpOutput {
  readonly address: string;
  readonly stats: DdpStats = { framesSent: 0, packetsSent: 0, bytesSent: 0, sendErrors: 0 };
  lastError: string | null = null;
  private socket: Socket | null = null;
  private target: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private current: { rgb: Uint8Array; crc32: number } | null = null;
  private sequence = 1;

  constructor(private readonly options: DdpOutputOptions) {
    this.address = `ddp://${options.host}:${options.port ?? DDP_PORT}`;
  }

  get running(): boolean {
    return this.socket !== null;
  }

  async start(): Promise<void> {
    if (this.socket) return;
    // Resolved once: a name lookup per packet could reorder packets and costs a round trip each.
    const target = isIP(this.options.host) ? this.options.host : (await lookup(this.options.host)).address;
    const socket = createSocket(isIP(target) === 6 ? 'udp6' : 'udp4');
    socket.on('error', (error) => {
      this.stats.sendErrors++;
      this.lastError = error.message;
    });
    socket.unref();
    this.socket = socket;
    this.target = target;
    const every = this.options.keepAliveMs ?? 1000;
    if (every > 0) {
      this.timer = setInterval(() => {
        this.options.onTick?.();
        this.flush();
      }, every);
      this.timer.unref();
    }
    this.flush();
  }

  /** Puts a frame on the controller now if it differs from what is streaming; the keep-alive repeats it. */
  show(frame: Frame, brightnessPercent = 100): void {
    const rgb = frameToRgb(frame, brightnessPercent, this.options.monoColour);
    const crc = crc32(rgb) >>> 0;
    if (this.current && this.current.crc32 === crc && this.current.rgb.length === rgb.length) return;
    this.current = { rgb, crc32: crc };
    this.flush();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  private flush(): void {
    const socket = this.socket;
    const frame = this.current;
    if (!socket || !frame || !this.target) return;
    const { packets, nextSequence } = ddpPackets(
      frame.rgb,
      this.sequence,
      this.options.maxDataBytes ?? DDP_MAX_DATA_BYTES,
    );
    this.sequence = nextSequence;
    const port = this.options.port ?? DDP_PORT;
    for (const packet of packets) {
      socket.send(packet, port, this.target, (error) => {
        if (error) {
          this.stats.sendErrors++;
          this.lastError = error.message;
        }
      });
      this.stats.packetsSent++;
      this.stats.bytesSent += packet.length;
    }
    this.stats.framesSent++;
  }
}
