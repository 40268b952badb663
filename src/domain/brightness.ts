import { getPosition } from 'suncalc';

/**
 * Panel brightness by daylight (DESIGN.md, road-safety rules): full by day, at most ~300 cd/m² at
 * night so the sign does not dazzle, and a ramp between the two through civil twilight. From the
 * sun's position at the sign, or from the sign's own photocell when it has one.
 */

export interface BrightnessSettings {
  /** Percent by day. */
  readonly dayPercent: number;
  /** Percent at night; clamped to nightLimitPercent. */
  readonly nightPercent: number;
  /** The configured ceiling at night: ~300 cd/m² over the panel's peak luminance. */
  readonly nightLimitPercent: number;
}

/** 300 cd/m² on a panel of ~7500 cd/m² peak (a typical full-colour motorway panel) is 4 %. */
export const DEFAULT_BRIGHTNESS: BrightnessSettings = { dayPercent: 100, nightPercent: 4, nightLimitPercent: 4 };

/** The signs' site: Vara, beside the E20. */
export const VARA = { lat: 58.267, lon: 12.95 } as const;

/** Civil twilight: from sunset (upper limb on the horizon, -0.833° with refraction) down to -6°. */
export const SUNSET_ALTITUDE = -0.833;
export const CIVIL_DUSK_ALTITUDE = -6;

/** A STATUS_REPORT photocell of 0xFFFF means the sign has none (PROTOCOL.md section 3). */
export const NO_PHOTOCELL = 0xffff;

/**
 * Assumed photocell scale: lux. Dark below ~10 lx (street lighting), full above ~5000 lx (overcast
 * daylight); log-linear between, as the eye perceives light.
 */
export const PHOTOCELL_DARK_LUX = 10;
export const PHOTOCELL_DAY_LUX = 5000;

export function nightLevel(s: BrightnessSettings): number {
  return Math.max(0, Math.min(s.nightPercent, s.nightLimitPercent, s.dayPercent));
}

/**
 * suncalc's getPosition gives the apparent altitude, with its refraction held at the horizon value
 * (0.484°) below the horizon; sunset and dusk (getTimes) are defined on the geometric altitude.
 * Twilight is judged on the geometric one, so the ramp ends exactly at civil dusk.
 */
const HORIZON_REFRACTION = 0.484;

/** Geometric sun altitude in degrees at a place and instant (positive altitudes keep their small refraction). */
export function sunAltitude(now: number, place: { lat: number; lon: number }): number {
  const apparent = getPosition(new Date(now), place.lat, place.lon).altitude;
  return apparent <= HORIZON_REFRACTION ? apparent - HORIZON_REFRACTION : apparent;
}

/** Brightness in whole percent from the sun: day level above sunset altitude, night below -6°, linear between. */
export function sunBrightness(
  now: number,
  place: { lat: number; lon: number },
  s: BrightnessSettings = DEFAULT_BRIGHTNESS,
): number {
  return brightnessForAltitude(sunAltitude(now, place), s);
}

export function brightnessForAltitude(altitude: number, s: BrightnessSettings = DEFAULT_BRIGHTNESS): number {
  const night = nightLevel(s);
  const day = Math.max(night, Math.min(100, s.dayPercent));
  const t = clamp01((altitude - CIVIL_DUSK_ALTITUDE) / (SUNSET_ALTITUDE - CIVIL_DUSK_ALTITUDE));
  return Math.round(night + (day - night) * t);
}

/** Brightness in whole percent from an ambient light reading (lux), same day and night levels. */
export function photocellBrightness(lux: number, s: BrightnessSettings = DEFAULT_BRIGHTNESS): number {
  const night = nightLevel(s);
  const day = Math.max(night, Math.min(100, s.dayPercent));
  const t = clamp01(
    (Math.log10(Math.max(lux, 1e-3)) - Math.log10(PHOTOCELL_DARK_LUX)) /
      (Math.log10(PHOTOCELL_DAY_LUX) - Math.log10(PHOTOCELL_DARK_LUX)),
  );
  return Math.round(night + (day - night) * t);
}

export interface BrightnessDecision {
  readonly percent: number;
  readonly source: 'photocell' | 'sun';
}

/** The photocell wins when the sign reports one; otherwise the sun's position at the sign. */
export function brightnessFor(
  now: number,
  place: { lat: number; lon: number },
  photocell: number | null,
  s: BrightnessSettings = DEFAULT_BRIGHTNESS,
): BrightnessDecision {
  if (photocell !== null && photocell !== NO_PHOTOCELL)
    return { percent: photocellBrightness(photocell, s), source: 'photocell' };
  return { percent: sunBrightness(now, place, s), source: 'sun' };
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
