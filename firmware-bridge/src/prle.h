/*
 * Pixel formats and the palette + run-length (PRLE) slot encoding of PROTOCOL.md section 4.
 */
#ifndef SKYLT_PRLE_H
#define SKYLT_PRLE_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of one framebuffer row / the whole framebuffer; 0 for an unknown format. */
size_t skylt_fb_row_bytes(uint8_t format, uint16_t width);
size_t skylt_fb_size(uint8_t format, uint16_t width, uint16_t height);
/* Bytes of one PRLE palette entry; 0 for an unknown format. */
size_t skylt_prle_value_bytes(uint8_t format);

enum skylt_prle_result {
    SKYLT_PRLE_OK = 0,
    SKYLT_PRLE_BAD_FORMAT,  /* unknown pixel format or zero-sized panel */
    SKYLT_PRLE_NO_ROOM,     /* the output buffer is smaller than the framebuffer */
    SKYLT_PRLE_TRUNCATED,   /* input ends inside the palette or a run, or before width*height pixels */
    SKYLT_PRLE_BAD_VALUE,   /* gray4 palette entry > 15 or mono entry > 1 */
    SKYLT_PRLE_BAD_INDEX,   /* palette index >= n */
    SKYLT_PRLE_OVERRUN,     /* a run goes past width*height pixels */
    SKYLT_PRLE_BAD_COUNT,   /* 0xFF control with a count of 0 */
    SKYLT_PRLE_TRAILING     /* bytes left over after the last pixel */
};

const char *skylt_prle_result_name(enum skylt_prle_result r);

/*
 * Decodes PRLE input into framebuffer bytes in `format` (rows padded with zero bits for gray4/mono).
 * On any failure the contents of out are unspecified: the caller must not show them.
 */
enum skylt_prle_result skylt_prle_decode(uint8_t format, uint16_t width, uint16_t height, const uint8_t *in,
                                         size_t n, uint8_t *out, size_t cap);

#endif
