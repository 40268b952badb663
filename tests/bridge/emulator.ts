/**
 * Test rig for the C sign emulator (firmware-bridge/build/skylt-sign): building it, running it over
 * a socat pty pair or TCP, reading its panel dump and status file, and a TCP proxy that corrupts
 * and drops bytes with a seeded RNG.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';

const ROOT = resolve(import.meta.dirname, '../..');
export const EMULATOR_BIN = join(ROOT, 'firmware-bridge/build/skylt-sign');
export const FIRMWARE_BUILD_LOCK = join(tmpdir(), 'skylt-firmware-build.lock');

/** Builds the emulator; the reason says why not when it cannot be built, for the skip message. */
export function buildEmulator(): { ok: true } | { ok: false; reason: string } {
  // flock: test files run in parallel, and two makes writing firmware-bridge/build/ at once can tear a binary.
  const make = spawnSync('flock', [FIRMWARE_BUILD_LOCK, 'make', '-C', join(ROOT, 'firmware-bridge')], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (make.error) return { ok: false, reason: `cannot run make: ${make.error.message}` };
  if (make.status !== 0) {
    const tail = `${make.stdout}\n${make.stderr}`.trim().split('\n').slice(-8).join('\n');
    return { ok: false, reason: `make -C firmware-bridge failed (exit ${make.status}):\n${tail}` };
  }
  if (!existsSync(EMULATOR_BIN)) return { ok: false, reason: `make succeeded but ${EMULATOR_BIN} is missing` };
  return { ok: true };
}

export function haveSocat(): boolean {
  return spawnSync('socat', ['-V'], { encoding: 'utf8' }).status === 0;
}

export interface EmulatorOptions {
  link: { tty: string } | { tcp: number };
  width: number;
  height: number;
  format?: string;
  slots?: number;
  slotBytes?: number;
  bootId?: number;
}

export interface EmulatorStatus {
  showing_slot: number;
  showing_crc32: number;
  showing_priority: number;
  brightness: number;
  boot_id: number;
  rx_errors: number;
}

export interface PanelDump {
  width: number;
  height: number;
  rgb: Uint8Array;
}

/** A running skylt-sign process with its dump and status files in a temp dir. */
export class Emulator {
  readonly dumpPath: string;
  readonly statusPath: string;
  port: number | null = null;
  stderr = '';
  private exited = false;

  private constructor(
    readonly dir: string,
    private readonly child: ChildProcess,
  ) {
    this.dumpPath = join(dir, 'panel.ppm');
    this.statusPath = join(dir, 'status.json');
    child.on('exit', () => {
      this.exited = true;
    });
  }

  static async start(options: EmulatorOptions): Promise<Emulator> {
    const dir = mkdtempSync(join(tmpdir(), 'skylt-emu-'));
    const args = [
      ...('tty' in options.link ? ['--tty', options.link.tty] : ['--tcp', String(options.link.tcp)]),
      '--width',
      String(options.width),
      '--height',
      String(options.height),
      '--format',
      options.format ?? 'rgb888',
      '--slots',
      String(options.slots ?? 8),
      '--dump',
      join(dir, 'panel.ppm'),
      '--status',
      join(dir, 'status.json'),
    ];
    if (options.slotBytes !== undefined) args.push('--slot-bytes', String(options.slotBytes));
    if (options.bootId !== undefined) args.push('--boot-id', String(options.bootId));
    const child = spawn(EMULATOR_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const emu = new Emulator(dir, child);
    await new Promise<void>((resolveReady, reject) => {
      const timer = setTimeout(() => reject(new Error(`skylt-sign did not get ready:\n${emu.stderr}`)), 10_000);
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (text: string) => {
        emu.stderr += text;
        const ready = /skylt-sign ready (?:tcp 127\.0\.0\.1:(\d+)|tty)/.exec(emu.stderr);
        if (ready) {
          if (ready[1]) emu.port = Number(ready[1]);
          clearTimeout(timer);
          resolveReady();
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`skylt-sign exited with ${code}:\n${emu.stderr}`));
      });
    });
    return emu;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  status(): EmulatorStatus | null {
    try {
      return JSON.parse(readFileSync(this.statusPath, 'utf8')) as EmulatorStatus;
    } catch {
      return null;
    }
  }

  /** The panel as the emulator last presented it (atomic rename, so never half a file). */
  dump(): PanelDump | null {
    let buf: Buffer;
    try {
      buf = readFileSync(this.dumpPath);
    } catch {
      return null;
    }
    const head = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(buf.subarray(0, 64).toString('latin1'));
    if (!head) throw new Error(`${this.dumpPath} is not a P6 PPM`);
    const width = Number(head[1]);
    const height = Number(head[2]);
    const rgb = new Uint8Array(buf.subarray(head[0].length, head[0].length + width * height * 3));
    return { width, height, rgb };
  }

  /** SIGHUP: the sign reboots (new boot id, volatile slots and leases gone, slot 0 kept). */
  reboot(): void {
    this.child.kill('SIGHUP');
  }

  async stop(): Promise<void> {
    if (!this.exited) {
      const gone = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 2000))]);
      if (!this.exited) this.child.kill('SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function rgbCrc(rgb: Uint8Array): number {
  return zlibCrc32(rgb) >>> 0;
}

/** A socat pty pair: the controller opens `a`, the emulator `b`. Can be killed and restarted (cable pull). */
export class SocatPair {
  readonly a: string;
  readonly b: string;
  private child: ChildProcess | null = null;

  constructor(readonly dir: string) {
    this.a = join(dir, 'A');
    this.b = join(dir, 'B');
  }

  async start(): Promise<void> {
    const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${this.a}`, `pty,raw,echo=0,link=${this.b}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    let log = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (t: string) => {
      log += t;
    });
    const started = Date.now();
    while (!(existsSync(this.a) && existsSync(this.b) && /starting data transfer loop/.test(log))) {
      if (child.exitCode !== null) throw new Error(`socat exited: ${log}`);
      if (Date.now() - started > 5000) throw new Error(`socat did not start: ${log}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Kills socat: both pty ends hang up and the links vanish, as when the cable is pulled. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await gone;
  }
}

export interface TamperOptions {
  seed: number;
  /** Per chunk, controller -> sign. */
  dropChunk?: number;
  flipBit?: number;
  /** Per chunk, sign -> controller. */
  dropReplyChunk?: number;
  flipReplyBit?: number;
}

/**
 * A TCP proxy between the controller and the emulator that drops whole chunks and flips bits, with
 * a seeded RNG so a failure can be replayed. `cut()` closes every connection (a network outage).
 */
export class TamperProxy {
  port = 0;
  readonly stats = { chunksDown: 0, droppedDown: 0, flippedDown: 0, chunksUp: 0, droppedUp: 0, flippedUp: 0 };
  enabled = true;
  private server: Server | null = null;
  private sockets = new Set<Socket>();
  private rng: () => number;

  constructor(
    private readonly upstreamPort: number,
    private readonly options: TamperOptions,
  ) {
    this.rng = mulberry32(options.seed);
  }

  async start(port = 0): Promise<void> {
    const server = createServer((client) => {
      const upstream = tcpConnect(this.upstreamPort, '127.0.0.1');
      client.setNoDelay(true);
      upstream.setNoDelay(true);
      this.sockets.add(client);
      this.sockets.add(upstream);
      const closeBoth = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', closeBoth);
      upstream.on('error', closeBoth);
      client.on('close', closeBoth);
      upstream.on('close', closeBoth);
      client.on('data', (chunk: Buffer) => {
        this.stats.chunksDown++;
        const out = this.tamper(chunk, this.options.dropChunk ?? 0, this.options.flipBit ?? 0, 'Down');
        if (out) upstream.write(out);
      });
      upstream.on('data', (chunk: Buffer) => {
        this.stats.chunksUp++;
        const out = this.tamper(chunk, this.options.dropReplyChunk ?? 0, this.options.flipReplyBit ?? 0, 'Up');
        if (out) client.write(out);
      });
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    this.server = server;
  }

  /** Closes every connection through the proxy and stops listening (the network is gone). */
  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  private tamper(chunk: Buffer, drop: number, flip: number, dir: 'Down' | 'Up'): Buffer | null {
    if (!this.enabled) return chunk;
    if (this.rng() < drop) {
      this.stats[`dropped${dir}`]++;
      return null;
    }
    if (this.rng() < flip) {
      const copy = Buffer.from(chunk);
      const bit = Math.floor(this.rng() * copy.length * 8);
      copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7));
      this.stats[`flipped${dir}`]++;
      return copy;
    }
    return chunk;
  }
}

/** A small seeded PRNG (mulberry32): the same seed replays the same corruption. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function waitFor<T>(
  what: string,
  check: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
