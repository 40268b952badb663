/**
 * The two E20 signs as C emulators (firmware-bridge/build/skylt-sign) for whole-Skylt resilience runs: a sign
 * file pointing Skylt at them, a watcher that checks every panel dump against the frames Skylt may show, and the
 * "does the sign show what Skylt holds" check. Built on tests/bridge/emulator.ts.
 */
import { type FSWatcher, mkdtempSync, rmSync, statSync, watch, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PlaylistItem } from '../../src/domain/playlist.ts';
import type { Frame } from '../../src/render/frame.ts';
import { GENERIC_CRISIS, renderCrisisPage, renderItemForSign, signSurface } from '../../src/render/sign-page.ts';
import { readPlaylistFile } from '../../src/schedule/playlist-file.ts';
import { Priority, type PriorityName } from '../../src/signs/bridge/messages.ts';
import { type SignConfig, SignConfig as SignConfigSchema } from '../../src/signs/sign-config.ts';
import {
  buildEmulator,
  Emulator,
  type EmulatorStatus,
  haveSocat,
  rgbCrc,
  SocatPair,
  tempDir,
} from '../bridge/emulator.ts';

export const WIDTH = 384;
export const HEIGHT = 192;

/** Builds the emulator or throws: a resilience run without it would prove nothing, so it must not pass quietly. */
export function requireEmulator(needSocat = false): void {
  const build = buildEmulator();
  if (!build.ok) throw new Error(`the C sign emulator is needed for the resilience suite: ${build.reason}`);
  if (needSocat && !haveSocat()) throw new Error('socat is needed for the pty link (apt-get install socat)');
}

/** The two E20 signs as in the embedded defaults, on other links. */
export function signFile(links: { north: string; south: string }): { signs: SignConfig[] } {
  const base = {
    width: WIDTH,
    height: HEIGHT,
    pixelPitchMm: 16,
    pixelFormat: 'rgb888' as const,
    municipalityCode: '1470',
    countyCode: '14',
  };
  return {
    signs: [
      SignConfigSchema.parse({
        ...base,
        id: 'E20-N',
        name: 'E20 norrgående',
        direction: 'northbound',
        facing: 'towards Skara/Örebro',
        lat: 58.2672,
        lon: 12.9489,
        link: links.north,
      }),
      SignConfigSchema.parse({
        ...base,
        id: 'E20-S',
        name: 'E20 södergående',
        direction: 'southbound',
        facing: 'towards Vårgårda/Göteborg',
        lat: 58.2668,
        lon: 12.9511,
        link: links.south,
      }),
    ],
  };
}

export function writeSignFile(dir: string, links: { north: string; south: string }): string {
  const path = join(dir, 'signs.json');
  writeFileSync(path, JSON.stringify(signFile(links), null, 2));
  return path;
}

export function startEmulatorTcp(bootId: number): Promise<Emulator> {
  return Emulator.start({ link: { tcp: 0 }, width: WIDTH, height: HEIGHT, slots: 16, bootId });
}

export function startEmulatorTty(tty: string, bootId: number): Promise<Emulator> {
  return Emulator.start({ link: { tty }, width: WIDTH, height: HEIGHT, slots: 16, bootId });
}

/**
 * A socat pty pair whose links live under /dev/shm, so the sign file's `serial:/dev/...` address (the config only
 * takes device paths) can name them. Pulling the cable is killing socat; plugging it back, starting it again.
 */
export function ptyPair(): { pair: SocatPair; remove(): void } {
  const dir = mkdtempSync('/dev/shm/skylt-pty-');
  return { pair: new SocatPair(dir), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export { Emulator, SocatPair, tempDir };

export function priorityCode(name: PriorityName | 'default' | null | undefined): number {
  return name && name !== 'default' ? Priority[name] : 0;
}

/**
 * Reads every panel dump the emulator writes (inotify on its directory, plus a 10 ms poll as a safety net) and
 * keeps the CRC-32 of each distinct picture, to be checked against the frames Skylt rendered. The emulator renames
 * each dump into place, so a read never sees half a file; a dump replaced within a few ms can be missed, which is
 * why the count is reported.
 */
export class PanelWatcher {
  readonly seen = new Map<number, number>();
  dumps = 0;
  private last = -1;
  private lastFile = '';
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly emu: Emulator) {}

  start(): void {
    this.watcher = watch(this.emu.dir, () => this.check());
    this.timer = setInterval(() => this.check(), 10);
  }

  check(): void {
    let dump: ReturnType<Emulator['dump']>;
    try {
      // Each dump is a new file renamed into place: read it only when the inode (or its time) changed.
      const st = statSync(this.emu.dumpPath, { throwIfNoEntry: false });
      if (!st) return;
      const id = `${st.ino}/${st.mtimeMs}/${st.size}`;
      if (id === this.lastFile) return;
      this.lastFile = id;
      dump = this.emu.dump();
    } catch {
      return;
    }
    if (!dump) return;
    const crc = rgbCrc(dump.rgb);
    if (crc === this.last) return;
    this.last = crc;
    this.dumps++;
    this.seen.set(crc, (this.seen.get(crc) ?? 0) + 1);
  }

  /** Pictures the panel showed that are none of `allowed`. */
  unknown(allowed: ReadonlySet<number>): number[] {
    return [...this.seen.keys()].filter((crc) => !allowed.has(crc));
  }

  stop(): void {
    this.check();
    this.watcher?.close();
    this.watcher = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/** A black panel (what an emulator shows before anything was played). */
export const BLACK_CRC = rgbCrc(new Uint8Array(WIDTH * HEIGHT * 3));

export type Page = Pick<PlaylistItem, 'content' | 'organisation' | 'infoLink' | 'showLink'>;

/**
 * The CRC-32 of every picture Skylt may put on this sign given the pages and crisis texts it was handed, rendered
 * here independently with the renderer the runtime uses: black, the generic crisis frame, each page, each crisis.
 */
export function allowedPanels(
  sign: SignConfig,
  pages: Iterable<Page>,
  crises: Iterable<{ headline: string; instruction: string }>,
): Set<number> {
  const surface = signSurface(sign);
  const crc = (f: Frame) => rgbCrc(f.bytes);
  const out = new Set<number>([BLACK_CRC, crc(renderCrisisPage(GENERIC_CRISIS, surface))]);
  for (const p of pages) out.add(crc(renderItemForSign(p, surface)));
  for (const c of crises) out.add(crc(renderCrisisPage(c, surface)));
  return out;
}

/** The fallback loop Skylt plays when nothing is published (playlists/default.json). */
export function fallbackPages(): PlaylistItem[] {
  return readPlaylistFile(resolve(import.meta.dirname, '../../playlists/default.json')).items;
}

export type { EmulatorStatus };

export function newDataDir(prefix: string): string {
  return tempDir(prefix);
}
