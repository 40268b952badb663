#include "prle.h"

#include <string.h>

#include "skylt_proto.h"

size_t skylt_fb_row_bytes(uint8_t format, uint16_t width)
{
    switch (format) {
    case SKYLT_FMT_RGB888:
        return (size_t)width * 3u;
    case SKYLT_FMT_RGB565:
        return (size_t)width * 2u;
    case SKYLT_FMT_GRAY4:
        return ((size_t)width + 1u) / 2u;
    case SKYLT_FMT_MONO:
        return ((size_t)width + 7u) / 8u;
    default:
        return 0;
    }
}

size_t skylt_fb_size(uint8_t format, uint16_t width, uint16_t height)
{
    return skylt_fb_row_bytes(format, width) * (size_t)height;
}

size_t skylt_prle_value_bytes(uint8_t format)
{
    switch (format) {
    case SKYLT_FMT_RGB888:
        return 3;
    case SKYLT_FMT_RGB565:
        return 2;
    case SKYLT_FMT_GRAY4:
    case SKYLT_FMT_MONO:
        return 1;
    default:
        return 0;
    }
}

const char *skylt_prle_result_name(enum skylt_prle_result r)
{
    switch (r) {
    case SKYLT_PRLE_OK:
        return "ok";
    case SKYLT_PRLE_BAD_FORMAT:
        return "bad format";
    case SKYLT_PRLE_NO_ROOM:
        return "no room";
    case SKYLT_PRLE_TRUNCATED:
        return "truncated";
    case SKYLT_PRLE_BAD_VALUE:
        return "bad palette value";
    case SKYLT_PRLE_BAD_INDEX:
        return "index out of palette";
    case SKYLT_PRLE_OVERRUN:
        return "run past the last pixel";
    case SKYLT_PRLE_BAD_COUNT:
        return "zero run count";
    case SKYLT_PRLE_TRAILING:
        return "bytes left over";
    }
    return "?";
}

/* Where the next pixel goes; runs may cross row boundaries, so x wraps into the next padded row. */
struct pixel_cursor {
    uint8_t *out;
    uint8_t format;
    uint16_t width;
    size_t row_bytes;
    size_t row;  /* byte offset of the current row */
    uint16_t x;
};

static void put_pixels(struct pixel_cursor *c, const uint8_t *value, uint32_t count)
{
    while (count-- > 0) {
        switch (c->format) {
        case SKYLT_FMT_RGB888: {
            uint8_t *p = c->out + c->row + (size_t)c->x * 3u;
            p[0] = value[0];
            p[1] = value[1];
            p[2] = value[2];
            break;
        }
        case SKYLT_FMT_RGB565: {
            uint8_t *p = c->out + c->row + (size_t)c->x * 2u;
            p[0] = value[0];
            p[1] = value[1];
            break;
        }
        case SKYLT_FMT_GRAY4:
            /* First pixel in the high nibble; the buffer was zeroed, so OR is enough. */
            c->out[c->row + c->x / 2u] |= (uint8_t)((c->x & 1u) ? value[0] : (uint8_t)(value[0] << 4));
            break;
        default: /* mono: first pixel in the most significant bit */
            if (value[0]) {
                c->out[c->row + c->x / 8u] |= (uint8_t)(0x80u >> (c->x & 7u));
            }
            break;
        }
        if (++c->x == c->width) {
            c->x = 0;
            c->row += c->row_bytes;
        }
    }
}

enum skylt_prle_result skylt_prle_decode(uint8_t format, uint16_t width, uint16_t height, const uint8_t *in,
                                         size_t n, uint8_t *out, size_t cap)
{
    const size_t vb = skylt_prle_value_bytes(format);
    const size_t fb = skylt_fb_size(format, width, height);
    const uint32_t total = (uint32_t)width * (uint32_t)height;
    const uint8_t *palette;
    size_t palette_n;
    size_t o;
    size_t k;
    uint32_t p = 0;
    struct pixel_cursor cur;

    if (vb == 0 || total == 0) {
        return SKYLT_PRLE_BAD_FORMAT;
    }
    if (cap < fb) {
        return SKYLT_PRLE_NO_ROOM;
    }
    if (n < 1) {
        return SKYLT_PRLE_TRUNCATED;
    }
    palette_n = (size_t)in[0] + 1u;
    if (n - 1u < palette_n * vb) {
        return SKYLT_PRLE_TRUNCATED;
    }
    /* The palette is used where it lies in the input: no copy, no stack buffer. */
    palette = in + 1;
    if (format == SKYLT_FMT_GRAY4 || format == SKYLT_FMT_MONO) {
        const uint8_t max = (format == SKYLT_FMT_GRAY4) ? 15u : 1u;
        for (k = 0; k < palette_n; k++) {
            if (palette[k] > max) {
                return SKYLT_PRLE_BAD_VALUE;
            }
        }
    }
    o = 1u + palette_n * vb;

    memset(out, 0, fb);
    cur.out = out;
    cur.format = format;
    cur.width = width;
    cur.row_bytes = skylt_fb_row_bytes(format, width);
    cur.row = 0;
    cur.x = 0;

    while (p < total) {
        uint8_t c;
        if (o >= n) {
            return SKYLT_PRLE_TRUNCATED;
        }
        c = in[o++];
        if (c <= 0x7Fu) {
            const uint32_t count = (uint32_t)c + 1u;
            if (n - o < count) {
                return SKYLT_PRLE_TRUNCATED;
            }
            if (count > total - p) {
                return SKYLT_PRLE_OVERRUN;
            }
            for (k = 0; k < count; k++) {
                const uint8_t idx = in[o + k];
                if (idx >= palette_n) {
                    return SKYLT_PRLE_BAD_INDEX;
                }
                put_pixels(&cur, palette + (size_t)idx * vb, 1);
            }
            o += count;
            p += count;
        } else {
            uint32_t count;
            uint8_t idx;
            if (c == 0xFFu) {
                if (n - o < 2u) {
                    return SKYLT_PRLE_TRUNCATED;
                }
                count = (uint32_t)in[o] | ((uint32_t)in[o + 1] << 8);
                o += 2;
                if (count == 0) {
                    return SKYLT_PRLE_BAD_COUNT;
                }
            } else {
                count = (uint32_t)c - 0x7Fu;
            }
            if (o >= n) {
                return SKYLT_PRLE_TRUNCATED;
            }
            idx = in[o++];
            if (idx >= palette_n) {
                return SKYLT_PRLE_BAD_INDEX;
            }
            if (count > total - p) {
                return SKYLT_PRLE_OVERRUN;
            }
            put_pixels(&cur, palette + (size_t)idx * vb, count);
            p += count;
        }
    }
    if (o != n) {
        return SKYLT_PRLE_TRAILING;
    }
    return SKYLT_PRLE_OK;
}
