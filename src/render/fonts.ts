import { createRequire } from 'node:module';
import { GlobalFonts } from '@napi-rs/canvas';

/**
 * Overpass Bold, from npm (no system fonts assumed). Overpass is an open interpretation of Highway
 * Gothic, the FHWA road-sign alphabet, so it was drawn to be read at distance and speed.
 */
export const SIGN_FONT_FAMILY = 'Skylt Overpass';

let registered = false;

export function ensureSignFont(): string {
  if (!registered) {
    const require = createRequire(import.meta.url);
    const path = require.resolve('@expo-google-fonts/overpass/700Bold/Overpass_700Bold.ttf');
    if (!GlobalFonts.registerFromPath(path, SIGN_FONT_FAMILY)) {
      throw new Error(`could not load the sign font from ${path}: reinstall with "npm ci"`);
    }
    registered = true;
  }
  return SIGN_FONT_FAMILY;
}
