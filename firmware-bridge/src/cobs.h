/*
 * Consistent Overhead Byte Stuffing (Cheshire & Baker, 1999). The encoded block has no 0x00, so 0x00 is
 * only ever the frame delimiter and a receiver that joins mid-stream resynchronises at the next one.
 */
#ifndef SKYLT_COBS_H
#define SKYLT_COBS_H

#include <stddef.h>
#include <stdint.h>

/* Worst-case encoded size of n bytes (without the delimiter). */
#define SKYLT_COBS_MAX_ENCODED(n) ((n) + (n) / 254u + 1u)

/*
 * Streaming encoder: a frame is encoded from its header, payload and CRC pieces without first being
 * assembled into a body buffer. The caller guarantees cap >= SKYLT_COBS_MAX_ENCODED(total bytes put).
 */
struct skylt_cobs_encoder {
    uint8_t *out;
    size_t code_at;
    size_t o;
    uint8_t code;
};
void skylt_cobs_enc_begin(struct skylt_cobs_encoder *e, uint8_t *out);
void skylt_cobs_enc_put(struct skylt_cobs_encoder *e, const uint8_t *in, size_t n);
/* Closes the last block; returns the encoded length (no delimiter). */
size_t skylt_cobs_enc_end(struct skylt_cobs_encoder *e);

/*
 * Encodes n bytes into out (no delimiter). A block is closed as soon as it holds 254 data bytes, so a body
 * that ends exactly on such a block gets a final 0x01 code, as the TypeScript encoder does (PROTOCOL.md 1).
 * Returns the encoded length, or 0 when cap is too small.
 */
size_t skylt_cobs_encode(const uint8_t *in, size_t n, uint8_t *out, size_t cap);

/*
 * Decodes one block (delimiter removed). out may equal in: the write position never passes the read
 * position, so a receiver decodes in place without a second buffer. Returns 0 and sets *out_len, or -1
 * when the input is not valid COBS (a zero byte, or a code that runs past the end) or does not fit cap.
 */
int skylt_cobs_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len);

#endif
