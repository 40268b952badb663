/**
 * Errors the renderer throws for content it cannot draw. Each carries `code` (test it, not the message),
 * an English `message` that says what is wrong and how to fix it, and `messageSv` for the Swedish UI.
 * The API answers them with 422.
 */
export class RenderContentError extends Error {
  readonly code: string;
  readonly messageSv: string;
  readonly field: string | undefined;
  readonly httpStatus = 422;
  constructor(code: string, message: string, messageSv?: string, field?: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.messageSv = messageSv ?? message;
    this.field = field;
  }
}

export interface TextTooLongDetails {
  /** The field to shorten (the one whose words were removed in the suggestion). */
  readonly field?: string;
  /** Characters to remove (at least, counting from the end of `field`) for the page to fit. */
  readonly charsOver: number;
  /** Whole words to remove from the end of `field` for the page to fit. */
  readonly wordsOver: number;
  /** A single word that is wider than the sign at the minimum height, if that is the problem. */
  readonly word?: string;
  readonly minCharPixels: number;
  readonly messageSv?: string;
}

/** Text that does not fit at the minimum character height. It is never shrunk below it. */
export class TextTooLongError extends RenderContentError {
  readonly charsOver: number;
  readonly wordsOver: number;
  readonly word: string | undefined;
  readonly minCharPixels: number;
  constructor(message: string, details?: TextTooLongDetails) {
    super('text-too-long', message, details?.messageSv, details?.field);
    this.charsOver = details?.charsOver ?? 0;
    this.wordsOver = details?.wordsOver ?? 0;
    this.word = details?.word;
    this.minCharPixels = details?.minCharPixels ?? 0;
  }
}

/** Characters the sign font has no glyph for (emoji, rare scripts): they would show as empty boxes. */
export class UnsupportedCharacterError extends RenderContentError {
  readonly chars: string;
  constructor(field: string, chars: string) {
    const list = [...chars].map(
      (c) => `"${c}" (U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')})`,
    );
    super(
      'unsupported-character',
      `${field} has characters the sign font cannot draw: ${list.join(', ')}; remove or replace them`,
      `${field} innehåller tecken som skyltens typsnitt saknar: ${[...chars].map((c) => `"${c}"`).join(', ')}. Ta bort eller ersätt dem.`,
      field,
    );
    this.chars = chars;
  }
}

/** An image item rendered without its picture: the caller must import the image and pass it in. */
export class MissingImageError extends RenderContentError {
  constructor(ref: string) {
    super(
      'image-missing',
      `image item "${ref}" was rendered without its picture: import it with importImage() and pass it as opts.image`,
      `Bilden "${ref}" saknas. Ladda upp bilden igen.`,
      'image',
    );
  }
}
