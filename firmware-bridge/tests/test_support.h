/*
 * Shared by the unit tests, the vector test and the fuzz harnesses: a fake HAL with a settable clock that
 * records what the sign sends and shows, a frame builder for the controller side, and a PRLE encoder
 * (the sign never encodes; the tests need one to produce valid uploads).
 */
#ifndef SKYLT_TEST_SUPPORT_H
#define SKYLT_TEST_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "../src/skylt_sign.h"

#define FAKE_OUT_BYTES 65536u

struct fake_hal {
    uint32_t now;
    uint32_t next_boot_id;
    int has_photocell;
    uint16_t photocell;

    uint8_t out[FAKE_OUT_BYTES]; /* everything the sign wrote, not yet consumed */
    size_t out_len;
    size_t out_overflow;         /* bytes lost because out was full (a test bug) */

    unsigned presents;
    uint8_t shown[SKYLT_FB_MAX_BYTES]; /* copy of the last presented framebuffer */
    size_t shown_bytes;
    uint8_t shown_format;
    const uint8_t *shown_ptr;
    uint8_t brightness;
    unsigned brightness_calls;

    /* Every successful commit as the HAL saw it: the harness decodes the committed bytes itself and
     * records the CRC-32 it computes, so checks do not rest on the core's own bookkeeping. */
    unsigned commits_reported;
    uint16_t width, height;
    uint8_t committed_known[SKYLT_MAX_SLOTS];
    uint32_t committed_crc[SKYLT_MAX_SLOTS];
    unsigned commit_crc_disagreements;
};

/* Initialises the fake and the sign (which presents black at once). Returns the init result. */
enum skylt_init_result fake_sign_init(struct fake_hal *f, struct skylt_sign *s, const struct skylt_config *cfg,
                                      uint32_t boot_id);

/* Encodes a controller frame (version 1) onto the wire and feeds it to the sign. */
void feed_frame(struct skylt_sign *s, uint8_t type, uint8_t seq, const uint8_t *payload, size_t len);
/* Wire bytes of a frame; returns the length (buffer at least SKYLT_MAX_WIRE). */
size_t build_frame(uint8_t type, uint8_t seq, uint8_t ack, const uint8_t *payload, size_t len, uint8_t *wire);

/* Pops the next whole frame the sign sent. Returns 1 and fills the fields (payload copied into `payload`,
 * at least SKYLT_MAX_PAYLOAD bytes), 0 when nothing is pending, -1 when the bytes are not a valid frame. */
int pop_reply(struct fake_hal *f, uint8_t *type, uint8_t *ack, uint8_t *payload, size_t *len);
void drop_replies(struct fake_hal *f);

/* Payload builders (little-endian, PROTOCOL.md section 3). Each returns the payload length. */
size_t pl_slot_begin(uint8_t *p, uint8_t slot, uint8_t format, uint8_t encoding, uint16_t w, uint16_t h,
                     uint32_t encoded_len, uint32_t crc32);
size_t pl_slot_data(uint8_t *p, uint8_t slot, uint32_t offset, const uint8_t *data, size_t n);
size_t pl_play(uint8_t *p, uint8_t slot, uint32_t crc32, uint8_t priority, uint32_t ttl_ms);

uint16_t rd16(const uint8_t *p);
uint32_t rd32(const uint8_t *p);

/* Pixel value of (x, y): rgb888 0xRRGGBB, rgb565 the u16, gray4 0..15, mono 0/1. */
uint32_t fb_get_pixel(uint8_t format, uint16_t w, const uint8_t *fb, uint16_t x, uint16_t y);
void fb_set_pixel(uint8_t format, uint16_t w, uint8_t *fb, uint16_t x, uint16_t y, uint32_t v);

/* PRLE encoder, same choices as the TypeScript one (runs of 3+ become repeats). Returns the encoded
 * length, or 0 when the frame has more than 256 colours or out is too small. */
size_t prle_encode(uint8_t format, uint16_t w, uint16_t h, const uint8_t *fb, uint8_t *out, size_t cap);

/* Hex helpers: returns the number of bytes decoded, or (size_t)-1 on bad hex / too long. */
size_t hex_decode(const char *hex, uint8_t *out, size_t cap);

#endif
