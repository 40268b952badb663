#include "test_support.h"

#include <string.h>

#include "../src/cobs.h"
#include "../src/crc.h"
#include "../src/frame.h"
#include "../src/prle.h"

static void f_write(void *ctx, const uint8_t *bytes, size_t n)
{
    struct fake_hal *f = ctx;
    if (n > FAKE_OUT_BYTES - f->out_len) {
        f->out_overflow += n;
        return;
    }
    memcpy(f->out + f->out_len, bytes, n);
    f->out_len += n;
}

static void f_present(void *ctx, const uint8_t *fb, size_t n, uint8_t format, uint16_t w, uint16_t h)
{
    struct fake_hal *f = ctx;
    (void)w;
    (void)h;
    f->presents++;
    memcpy(f->shown, fb, n);
    f->shown_bytes = n;
    f->shown_format = format;
    f->shown_ptr = fb;
}

static void f_brightness(void *ctx, uint8_t percent)
{
    struct fake_hal *f = ctx;
    f->brightness = percent;
    f->brightness_calls++;
}

static uint16_t f_photocell(void *ctx)
{
    return ((struct fake_hal *)ctx)->photocell;
}

static uint32_t f_now(void *ctx)
{
    return ((struct fake_hal *)ctx)->now;
}

static uint32_t f_boot_id(void *ctx)
{
    return ((struct fake_hal *)ctx)->next_boot_id++;
}

static void f_committed(void *ctx, uint8_t slot, uint8_t format, uint8_t encoding, const uint8_t *encoded,
                        uint32_t encoded_len, uint32_t crc32)
{
    static uint8_t fb[SKYLT_FB_MAX_BYTES];
    struct fake_hal *f = ctx;
    size_t bytes = skylt_fb_size(format, f->width, f->height);
    uint32_t mine = 0;
    int ok;

    f->commits_reported++;
    if (encoding == SKYLT_ENC_RAW) {
        ok = encoded_len == bytes;
        if (ok) {
            mine = skylt_crc32(encoded, bytes);
        }
    } else {
        ok = skylt_prle_decode(format, f->width, f->height, encoded, encoded_len, fb, sizeof fb) == SKYLT_PRLE_OK;
        if (ok) {
            mine = skylt_crc32(fb, bytes);
        }
    }
    if (!ok || mine != crc32 || slot >= SKYLT_MAX_SLOTS) {
        f->commit_crc_disagreements++;
        return;
    }
    f->committed_known[slot] = 1;
    f->committed_crc[slot] = mine;
}

enum skylt_init_result fake_sign_init(struct fake_hal *f, struct skylt_sign *s, const struct skylt_config *cfg,
                                      uint32_t boot_id)
{
    struct skylt_hal hal;
    int photo = f->has_photocell;
    uint16_t photo_value = f->photocell;
    memset(f, 0, sizeof *f);
    f->has_photocell = photo;
    f->photocell = photo_value;
    f->next_boot_id = boot_id;
    f->width = cfg->width;
    f->height = cfg->height;
    memset(&hal, 0, sizeof hal);
    hal.ctx = f;
    hal.link_write = f_write;
    hal.present = f_present;
    hal.set_brightness = f_brightness;
    hal.read_photocell = photo ? f_photocell : NULL;
    hal.now_ms = f_now;
    hal.boot_id = f_boot_id;
    hal.slot_committed = f_committed;
    return skylt_sign_init(s, cfg, &hal);
}

size_t build_frame(uint8_t type, uint8_t seq, uint8_t ack, const uint8_t *payload, size_t len, uint8_t *wire)
{
    return skylt_frame_encode(type, seq, ack, payload, len, wire, SKYLT_MAX_WIRE);
}

void feed_frame(struct skylt_sign *s, uint8_t type, uint8_t seq, const uint8_t *payload, size_t len)
{
    uint8_t wire[SKYLT_MAX_WIRE];
    size_t n = build_frame(type, seq, 0, payload, len, wire);
    skylt_sign_rx(s, wire, n);
}

int pop_reply(struct fake_hal *f, uint8_t *type, uint8_t *ack, uint8_t *payload, size_t *len)
{
    uint8_t buf[SKYLT_MAX_WIRE];
    size_t end = 0;
    struct skylt_frame fr;

    if (f->out_len == 0) {
        return 0;
    }
    while (end < f->out_len && f->out[end] != 0) {
        end++;
    }
    if (end == f->out_len || end > SKYLT_MAX_ENCODED) {
        f->out_len = 0;
        return -1;
    }
    memcpy(buf, f->out, end);
    memmove(f->out, f->out + end + 1, f->out_len - end - 1);
    f->out_len -= end + 1;
    if (end == 0 || skylt_frame_decode(buf, end, &fr) != SKYLT_FRAME_OK || fr.seq != 0) {
        return -1;
    }
    *type = fr.type;
    *ack = fr.ack;
    memcpy(payload, fr.payload, fr.len);
    *len = fr.len;
    return 1;
}

void drop_replies(struct fake_hal *f)
{
    f->out_len = 0;
}

static uint8_t *w16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    return p + 2;
}

static uint8_t *w32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
    return p + 4;
}

uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

size_t pl_slot_begin(uint8_t *p, uint8_t slot, uint8_t format, uint8_t encoding, uint16_t w, uint16_t h,
                     uint32_t encoded_len, uint32_t crc32)
{
    uint8_t *q = p;
    *q++ = slot;
    *q++ = format;
    *q++ = encoding;
    q = w16(q, w);
    q = w16(q, h);
    q = w32(q, encoded_len);
    q = w32(q, crc32);
    return (size_t)(q - p);
}

size_t pl_slot_data(uint8_t *p, uint8_t slot, uint32_t offset, const uint8_t *data, size_t n)
{
    p[0] = slot;
    w32(p + 1, offset);
    if (n > 0) {
        memcpy(p + 5, data, n);
    }
    return 5 + n;
}

size_t pl_play(uint8_t *p, uint8_t slot, uint32_t crc32, uint8_t priority, uint32_t ttl_ms)
{
    p[0] = slot;
    w32(p + 1, crc32);
    p[5] = priority;
    w32(p + 6, ttl_ms);
    return 10;
}

uint32_t fb_get_pixel(uint8_t format, uint16_t w, const uint8_t *fb, uint16_t x, uint16_t y)
{
    const uint8_t *row = fb + (size_t)y * skylt_fb_row_bytes(format, w);
    switch (format) {
    case SKYLT_FMT_RGB888:
        return ((uint32_t)row[x * 3] << 16) | ((uint32_t)row[x * 3 + 1] << 8) | row[x * 3 + 2];
    case SKYLT_FMT_RGB565:
        return (uint32_t)row[x * 2] | ((uint32_t)row[x * 2 + 1] << 8);
    case SKYLT_FMT_GRAY4:
        return (x & 1) ? (row[x / 2] & 0x0F) : (row[x / 2] >> 4);
    default:
        return (row[x / 8] >> (7 - (x & 7))) & 1;
    }
}

void fb_set_pixel(uint8_t format, uint16_t w, uint8_t *fb, uint16_t x, uint16_t y, uint32_t v)
{
    uint8_t *row = fb + (size_t)y * skylt_fb_row_bytes(format, w);
    switch (format) {
    case SKYLT_FMT_RGB888:
        row[x * 3] = (uint8_t)(v >> 16);
        row[x * 3 + 1] = (uint8_t)(v >> 8);
        row[x * 3 + 2] = (uint8_t)v;
        break;
    case SKYLT_FMT_RGB565:
        row[x * 2] = (uint8_t)v;
        row[x * 2 + 1] = (uint8_t)(v >> 8);
        break;
    case SKYLT_FMT_GRAY4:
        if (x & 1) {
            row[x / 2] = (uint8_t)((row[x / 2] & 0xF0) | (v & 0x0F));
        } else {
            row[x / 2] = (uint8_t)((row[x / 2] & 0x0F) | ((v & 0x0F) << 4));
        }
        break;
    default:
        if (v & 1) {
            row[x / 8] |= (uint8_t)(0x80 >> (x & 7));
        } else {
            row[x / 8] &= (uint8_t)~(0x80 >> (x & 7));
        }
        break;
    }
}

size_t prle_encode(uint8_t format, uint16_t w, uint16_t h, const uint8_t *fb, uint8_t *out, size_t cap)
{
    static uint32_t palette[256];
    static uint8_t indices[(size_t)SKYLT_MAX_WIDTH * SKYLT_MAX_HEIGHT];
    const size_t vb = skylt_prle_value_bytes(format);
    const uint32_t total = (uint32_t)w * h;
    size_t n_pal = 0, o, k;
    uint32_t p = 0, i, lit_start;
    int in_lit = 0;
    uint16_t x, y;

    for (y = 0; y < h; y++) {
        for (x = 0; x < w; x++) {
            uint32_t v = fb_get_pixel(format, w, fb, x, y);
            for (k = 0; k < n_pal && palette[k] != v; k++) {
            }
            if (k == n_pal) {
                if (n_pal == 256) {
                    return 0;
                }
                palette[n_pal++] = v;
            }
            indices[p++] = (uint8_t)k;
        }
    }
    if (cap < 1 + n_pal * vb) {
        return 0;
    }
    out[0] = (uint8_t)(n_pal - 1);
    o = 1;
    for (k = 0; k < n_pal; k++) {
        uint32_t v = palette[k];
        if (format == SKYLT_FMT_RGB888) {
            out[o++] = (uint8_t)(v >> 16);
            out[o++] = (uint8_t)(v >> 8);
            out[o++] = (uint8_t)v;
        } else if (format == SKYLT_FMT_RGB565) {
            out[o++] = (uint8_t)v;
            out[o++] = (uint8_t)(v >> 8);
        } else {
            out[o++] = (uint8_t)v;
        }
    }
#define NEED(n)                                                                                                        \
    do {                                                                                                               \
        if (cap - o < (size_t)(n)) {                                                                                   \
            return 0;                                                                                                  \
        }                                                                                                              \
    } while (0)
    i = 0;
    lit_start = 0;
    while (i <= total) {
        uint32_t run = 1;
        if (i < total) {
            while (i + run < total && indices[i + run] == indices[i] && run < 65535) {
                run++;
            }
        }
        if (i == total || run >= 3) {
            /* flush the pending literal in chunks of at most 128 */
            while (in_lit && lit_start < i) {
                uint32_t nlit = i - lit_start > 128 ? 128 : i - lit_start;
                NEED(1 + nlit);
                out[o++] = (uint8_t)(nlit - 1);
                memcpy(out + o, indices + lit_start, nlit);
                o += nlit;
                lit_start += nlit;
            }
            in_lit = 0;
            if (i == total) {
                break;
            }
            if (run <= 127) {
                NEED(2);
                out[o++] = (uint8_t)(0x7F + run);
            } else {
                NEED(4);
                out[o++] = 0xFF;
                out[o++] = (uint8_t)run;
                out[o++] = (uint8_t)(run >> 8);
            }
            out[o++] = indices[i];
            i += run;
        } else {
            if (!in_lit) {
                in_lit = 1;
                lit_start = i;
            }
            i += run;
        }
    }
#undef NEED
    return o;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

size_t hex_decode(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    while (hex[0] && hex[1]) {
        int a = hexval(hex[0]), b = hexval(hex[1]);
        if (a < 0 || b < 0 || n >= cap) {
            return (size_t)-1;
        }
        out[n++] = (uint8_t)(a * 16 + b);
        hex += 2;
    }
    return hex[0] ? (size_t)-1 : n;
}
