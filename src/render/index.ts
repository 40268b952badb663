/** The renderer's public API: what the rest of Skylt calls. */
export { type Frame, frameCrc32, frameToRgba, PIXEL_FORMATS, type PixelFormat, type Rgb } from './frame.ts';
export { framePalette, framePng } from './frame-png.ts';
export {
  DEFAULT_IMAGE_LIMITS,
  ImageAnimatedError,
  ImageCorruptError,
  ImageDimensionsError,
  ImageImportError,
  type ImageLimits,
  ImageTooLargeError,
  ImageTruncatedError,
  ImageTypeError,
  type ImportedImage,
  importImage,
} from './image-import.ts';
export { lintRenderedItem, type RenderedLint, type RenderLintContext } from './lint-render.ts';
export { packRgba, quantiseColour } from './quantise.ts';
export {
  MissingImageError,
  RenderContentError,
  TextTooLongError,
  UnsupportedCharacterError,
} from './render-errors.ts';
export { type RenderedPage, type RenderOptions, renderItem } from './render-item.ts';
export {
  DEFAULT_PIXEL_PITCH_MM,
  DEFAULT_SIGN_PROFILES,
  type SignConfigLike,
  type SignProfile,
  SignProfileInput,
  type SignSurface,
  signProfile,
  signProfileFromConfig,
} from './sign-profile.ts';
export { renderTextPage } from './text-page.ts';
export { DEFAULT_THEME, type SignTheme } from './theme.ts';
