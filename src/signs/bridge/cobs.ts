/**
 * Consistent Overhead Byte Stuffing (Cheshire & Baker, 1999): the encoded body has no 0x00, so 0x00
 * delimits frames and a receiver that joins mid-stream resynchronises at the next delimiter.
 */
export function cobsEncode(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(input.length + Math.ceil(input.length / 254) + 1);
  let codeAt = 0;
  let o = 1;
  let code = 1;
  for (const byte of input) {
    if (byte === 0) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
      continue;
    }
    out[o++] = byte;
    code++;
    if (code === 0xff) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
    }
  }
  out[codeAt] = code;
  return out.subarray(0, o);
}

/** Decodes one COBS block (without its delimiter); null when it is not valid COBS. */
export function cobsDecode(input: Uint8Array): Uint8Array | null {
  const out = new Uint8Array(input.length);
  let i = 0;
  let o = 0;
  while (i < input.length) {
    const code = input[i] as number;
    if (code === 0) return null;
    const end = i + code;
    if (end > input.length) return null;
    for (let k = i + 1; k < end; k++) {
      const b = input[k] as number;
      if (b === 0) return null;
      out[o++] = b;
    }
    i = end;
    if (code !== 0xff && i < input.length) out[o++] = 0;
  }
  return out.subarray(0, o);
}
