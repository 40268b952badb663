import { type BrightnessDecision, type BrightnessSettings, brightnessFor, NO_PHOTOCELL } from '../domain/brightness.ts';
import { AckCode } from '../signs/bridge/messages.ts';
import type { SignController } from '../signs/sign-controller.ts';

export interface BrightnessSign {
  readonly id: string;
  readonly lat: number;
  readonly lon: number;
  readonly controller: SignController;
}

export interface BrightnessReading extends BrightnessDecision {
  readonly signId: string;
  readonly at: string;
  /** The sign's own level before this step. */
  readonly was: number;
  /** Ambient light from the sign's photocell; null when it has none. */
  readonly photocell: number | null;
}

/**
 * One brightness step for a sign: read its STATUS (photocell and current level), work out the
 * level, and send BRIGHTNESS only when it differs (a rebooted sign starts at 100 % and is put
 * right at the next step). Without a believable clock the sun's position is unknown: only a
 * photocell is trusted then, and otherwise the level is left as it is.
 */
export async function adjustBrightness(
  sign: BrightnessSign,
  now: number,
  settings: BrightnessSettings,
  clockOk: boolean,
): Promise<BrightnessReading | null> {
  const c = sign.controller;
  if (!c.linkUp) return null;
  const report = await c.readBack();
  const photocell = report.photocell === NO_PHOTOCELL ? null : report.photocell;
  if (photocell === null && !clockOk) return null;
  const decision = brightnessFor(now, { lat: sign.lat, lon: sign.lon }, photocell, settings);
  if (report.brightness !== decision.percent) {
    const code = await c.session.send({ type: 'BRIGHTNESS', percent: decision.percent });
    if (code !== AckCode.OK) throw new Error(`sign ${sign.id} refused BRIGHTNESS ${decision.percent} % (code ${code})`);
  }
  return { ...decision, signId: sign.id, at: new Date(now).toISOString(), was: report.brightness, photocell };
}
