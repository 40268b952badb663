/*
 * Fuzz target for the sign core (libFuzzer entry point; fuzz/random_driver.c calls the same function
 * where clang is missing). The input is a small program for a hostile or clumsy controller: raw bytes,
 * well-formed frames with fuzzed payloads, valid and invalid uploads, PLAYs with right and wrong CRCs,
 * clock jumps, reboots and bit flips in slot memory. Structured operations get past the CRC-16 so the
 * fuzzer reaches the slot store and leases, not only the framing.
 *
 * After every operation it asserts the safety invariant of PROTOCOL.md ("a frame that did not pass its
 * CRC is never shown"): the panel shows black, or exactly the decoded bytes of a committed slot whose
 * CRC-32, recomputed here over what is on the panel, equals the CRC-32 recorded when that slot was
 * committed. It also checks that the visible buffer was not written after it was presented (no tearing)
 * and that every byte the sign sends parses as a valid reply frame.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/cobs.h"
#include "../src/crc.h"
#include "../src/frame.h"
#include "../src/prle.h"
#include "../src/skylt_sign.h"
#include "../tests/test_support.h"
#include "fuzz_sign.h"

static struct skylt_sign S;
static struct fake_hal F;

static uint8_t scratch[SKYLT_FB_MAX_BYTES];
static struct fuzz_stats stats;
static uint8_t frame_fb[SKYLT_FB_MAX_BYTES];
static uint8_t encoded[SKYLT_SLOT_POOL_BYTES + 16];


#define INVARIANT(cond, ...)                                                                                           \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "INVARIANT VIOLATED (%s:%d): %s\n  ", __FILE__, __LINE__, #cond);                          \
            fprintf(stderr, __VA_ARGS__);                                                                              \
            fprintf(stderr, "\n");                                                                                     \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

/* ---- input reader ---- */

struct reader {
    const uint8_t *p;
    size_t n;
};

static uint8_t u8(struct reader *r)
{
    if (r->n == 0) {
        return 0;
    }
    r->n--;
    return *r->p++;
}

static uint16_t u16(struct reader *r)
{
    uint16_t lo = u8(r);
    return (uint16_t)(lo | (u8(r) << 8));
}

static uint32_t u32(struct reader *r)
{
    uint32_t lo = u16(r);
    return lo | ((uint32_t)u16(r) << 16);
}

/* ---- the controller side ---- */

static uint8_t next_seq;

static void send_frame(uint8_t type, uint8_t seq, const uint8_t *payload, size_t len, size_t split)
{
    uint8_t wire[SKYLT_MAX_WIRE];
    size_t n = build_frame(type, seq, 0, payload, len, wire);
    if (n == 0) {
        return;
    }
    /* Split delivery: framing must not depend on how reads chunk the stream. */
    split = split % (n + 1);
    skylt_sign_rx(&S, wire, split);
    skylt_sign_rx(&S, wire + split, n - split);
}

static void send_seq(uint8_t type, const uint8_t *payload, size_t len)
{
    send_frame(type, next_seq++, payload, len, 0);
}

static void op_upload(struct reader *r, const struct fuzz_panel *panel)
{
    uint8_t slot = u8(r) % (uint8_t)(panel->slot_count + 1); /* sometimes one past the end */
    uint8_t flags = u8(r);
    uint8_t format = (flags & 0x30) ? panel->native_format : (uint8_t)(1 + (flags >> 6));
    uint8_t chunk = (uint8_t)(u8(r) | 1);
    uint8_t seed = u8(r);
    uint8_t colours = (uint8_t)(1 + u8(r) % 6);
    size_t fb = skylt_fb_size(format, panel->width, panel->height);
    size_t n, off;
    uint32_t crc;
    uint8_t p[SKYLT_MAX_PAYLOAD];
    uint16_t x, y;

    memset(frame_fb, 0, fb);
    for (y = 0; y < panel->height; y++) {
        for (x = 0; x < panel->width; x++) {
            uint32_t v = (uint32_t)((x * seed + y * (seed >> 3) + (x == y)) % colours);
            v = format == SKYLT_FMT_MONO ? (v & 1u) : format == SKYLT_FMT_GRAY4 ? (v * 3u) & 15u : v * 0x2F1D3Bu;
            fb_set_pixel(format, panel->width, frame_fb, x, y, format == SKYLT_FMT_RGB565 ? (v & 0xFFFFu) : v);
        }
    }
    crc = skylt_crc32(frame_fb, fb);
    if (flags & 0x01) {
        n = prle_encode(format, panel->width, panel->height, frame_fb, encoded, sizeof encoded);
        if (n == 0) {
            return;
        }
    } else {
        memcpy(encoded, frame_fb, fb);
        n = fb;
    }
    if (flags & 0x02) {
        crc ^= 1u << (seed & 31); /* declare the wrong CRC: the commit must fail */
    }
    if ((flags & 0x04) && n > 0) {
        encoded[seed % n] ^= (uint8_t)(1u << (seed & 7)); /* damage the data in transit */
    }
    send_seq(SKYLT_MSG_SLOT_BEGIN, p,
             pl_slot_begin(p, slot, format, (uint8_t)(flags & 0x01), panel->width, panel->height, (uint32_t)n, crc));
    for (off = 0; off < n; off += chunk) {
        size_t len = n - off < chunk ? n - off : chunk;
        if ((flags & 0x08) && off == chunk) {
            continue; /* lose one chunk: the commit must be refused */
        }
        send_seq(SKYLT_MSG_SLOT_DATA, p, pl_slot_data(p, slot, (uint32_t)off, encoded + off, len));
    }
    if (!(flags & 0x80) || (flags & 0x40)) {
        send_seq(SKYLT_MSG_SLOT_COMMIT, &slot, 1);
    }
}

static void op_play(struct reader *r, const struct fuzz_panel *panel)
{
    uint8_t slot = u8(r) % (uint8_t)(panel->slot_count + 1);
    uint8_t priority = u8(r) % 6;
    uint8_t how = u8(r);
    uint32_t ttl = (how & 3) == 0 ? 0 : (how & 3) == 1 ? SKYLT_TTL_FOREVER : (uint32_t)u16(r);
    uint32_t crc = u32(r);
    struct skylt_slot_info info;
    uint8_t p[16];
    if ((how & 4) && skylt_sign_slot_info(&S, slot, &info) == 0) {
        crc = info.crc32; /* the right CRC, as a real controller would send */
    }
    send_seq(SKYLT_MSG_PLAY, p, pl_play(p, slot, crc, priority, ttl));
}

static void run_op(struct reader *r, const struct fuzz_panel *panel)
{
    uint8_t op = u8(r) % 11;
    uint8_t buf[SKYLT_MAX_PAYLOAD + 64];
    size_t n, i;

    switch (op) {
    case 0: /* raw bytes, as they are */
        n = u8(r);
        n = n < r->n ? n : r->n;
        skylt_sign_rx(&S, r->p, n);
        r->p += n;
        r->n -= n;
        break;
    case 1: { /* a well-formed frame with a fuzzed type, seq and payload */
        uint8_t type = u8(r);
        uint8_t mode = u8(r);
        uint8_t seq = (mode & 1) ? u8(r) : next_seq;
        n = (mode & 2) ? (size_t)(u16(r) % (SKYLT_MAX_PAYLOAD + 1)) : u8(r);
        for (i = 0; i < n; i++) {
            buf[i] = u8(r);
        }
        if (!(mode & 1)) {
            next_seq++;
        }
        send_frame(type, seq, buf, n, u8(r));
        break;
    }
    case 2: { /* time passes; the emulator's timer ticks */
        uint32_t dt = u16(r);
        if (dt & 1) {
            dt *= 997u;
        }
        F.now += dt;
        skylt_sign_tick(&S);
        break;
    }
    case 3:
        skylt_sign_reboot(&S);
        /* Volatile slots are gone; only slot 0's commit record survives, as slot 0 does. */
        for (i = 1; i < SKYLT_MAX_SLOTS; i++) {
            F.committed_known[i] = 0;
        }
        skylt_sign_announce(&S);
        break;
    case 4:
        buf[0] = 1;
        send_frame(SKYLT_MSG_HELLO, u8(r), buf, 1, 0);
        next_seq = 1;
        break;
    case 5:
        op_upload(r, panel);
        break;
    case 6:
        op_play(r, panel);
        break;
    case 7: { /* a valid frame damaged on the wire */
        uint8_t wire[SKYLT_MAX_WIRE];
        uint8_t at = u8(r), bit = u8(r);
        n = build_frame(SKYLT_MSG_BRIGHTNESS, next_seq, 0, &at, 1, wire);
        wire[at % n] ^= (uint8_t)(1u << (bit & 7));
        skylt_sign_rx(&S, wire, n);
        break;
    }
    case 8:
        buf[0] = u8(r);
        send_seq(SKYLT_MSG_STATUS, buf, 1);
        break;
    case 9: { /* RAM goes bad under a committed slot (cosmic ray, driver bug) */
        struct skylt_slot_info info;
        uint8_t slot = u8(r) % panel->slot_count;
        uint16_t at = u16(r);
        if (skylt_sign_slot_info(&S, slot, &info) == 0 && info.encoded_len > 0) {
            ((uint8_t *)(uintptr_t)info.encoded)[at % info.encoded_len] ^= (uint8_t)(1u << (at >> 13));
        }
        break;
    }
    default: /* a long run of garbage without a delimiter */
        n = (size_t)u8(r) * 8u;
        memset(buf, 0xA5, sizeof buf);
        while (n > 0) {
            size_t k = n < sizeof buf ? n : sizeof buf;
            skylt_sign_rx(&S, buf, k);
            n -= k;
        }
        break;
    }
}

/* ---- the invariant ---- */

static void check_output(void)
{
    size_t start = 0, i;
    for (i = 0; i < F.out_len; i++) {
        if (F.out[i] == 0) {
            uint8_t buf[SKYLT_MAX_WIRE];
            struct skylt_frame f;
            size_t len = i - start;
            INVARIANT(len > 0 && len <= SKYLT_MAX_ENCODED, "reply of %lu encoded bytes", (unsigned long)len);
            memcpy(buf, F.out + start, len);
            INVARIANT(skylt_frame_decode(buf, len, &f) == SKYLT_FRAME_OK, "the sign sent an invalid frame");
            INVARIANT(f.seq == 0, "reply with seq %u", f.seq);
            INVARIANT((f.type == SKYLT_MSG_ACK && f.len == 1 && f.payload[0] <= SKYLT_ACK_UNKNOWN_TYPE) ||
                          (f.type == SKYLT_MSG_NAK && f.len == 1 &&
                           (f.payload[0] == SKYLT_NAK_CORRUPT || f.payload[0] == SKYLT_NAK_GAP)) ||
                          (f.type == SKYLT_MSG_HELLO_REPLY && f.len == SKYLT_LEN_HELLO_REPLY) ||
                          (f.type == SKYLT_MSG_STATUS_REPORT && f.len == SKYLT_LEN_STATUS_REPORT),
                      "unexpected reply type 0x%02x len %u", f.type, f.len);
            start = i + 1;
        }
    }
    INVARIANT(start == F.out_len, "the sign left %lu bytes without a delimiter", (unsigned long)(F.out_len - start));
    F.out_len = 0;
}

static void check_panel(const struct fuzz_panel *panel)
{
    struct skylt_status st;
    size_t bytes = 0, i;
    uint8_t format = 0;
    const uint8_t *vis;

    skylt_sign_status(&S, &st);
    vis = skylt_sign_visible(&S, &bytes, &format);

    /* What the panel scans out is what was presented, untouched since (double buffering). */
    INVARIANT(vis == F.shown_ptr, "visible buffer is not the presented one");
    INVARIANT(bytes == F.shown_bytes && memcmp(vis, F.shown, bytes) == 0, "visible buffer changed after present");

    stats.panel_checks++;
    if (st.showing_slot == SKYLT_NO_SLOT) {
        INVARIANT(st.showing_crc32 == 0 && st.showing_priority == 0, "blank with crc %08lx prio %u",
                  (unsigned long)st.showing_crc32, st.showing_priority);
        INVARIANT(format == panel->native_format &&
                      bytes == skylt_fb_size(panel->native_format, panel->width, panel->height),
                  "black of the wrong size");
        for (i = 0; i < bytes; i++) {
            INVARIANT(vis[i] == 0, "blank panel has a lit byte at %lu", (unsigned long)i);
        }
    } else {
        struct skylt_slot_info info;
        uint32_t shown_crc = skylt_crc32(vis, bytes);
        INVARIANT(skylt_sign_slot_info(&S, st.showing_slot, &info) == 0, "showing slot %u does not exist",
                  st.showing_slot);
        stats.slot_shown_checks++;
        INVARIANT(info.valid, "showing slot %u, which is not valid", st.showing_slot);
        INVARIANT(F.committed_known[st.showing_slot], "showing slot %u, which was never committed",
                  st.showing_slot);
        INVARIANT(shown_crc == F.committed_crc[st.showing_slot],
                  "panel CRC-32 %08lx differs from the CRC-32 %08lx computed at slot %u's commit",
                  (unsigned long)shown_crc, (unsigned long)F.committed_crc[st.showing_slot], st.showing_slot);
        INVARIANT(shown_crc == st.showing_crc32, "STATUS says crc %08lx, panel has %08lx",
                  (unsigned long)st.showing_crc32, (unsigned long)shown_crc);
        INVARIANT(bytes == skylt_fb_size(info.format, panel->width, panel->height) && format == info.format,
                  "panel holds %lu bytes of format %u, slot is format %u", (unsigned long)bytes, format, info.format);
        /* Exactly the slot's bytes: decode it again here; if its memory was not damaged since, the result
         * must be what the panel shows. */
        if (info.valid) {
            int ok;
            if (info.encoding == SKYLT_ENC_RAW) {
                ok = info.encoded_len == bytes;
                if (ok) {
                    memcpy(scratch, info.encoded, bytes);
                }
            } else {
                ok = skylt_prle_decode(info.format, panel->width, panel->height, info.encoded, info.encoded_len,
                                       scratch, sizeof scratch) == SKYLT_PRLE_OK;
            }
            if (ok && skylt_crc32(scratch, bytes) == info.crc32) {
                INVARIANT(memcmp(scratch, vis, bytes) == 0, "panel differs from slot %u's decoded bytes",
                          st.showing_slot);
            }
        }
    }
}

void fuzz_sign_stats(struct fuzz_stats *out)
{
    *out = stats;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct reader r;
    const struct fuzz_panel *panel;
    struct skylt_config cfg;
    unsigned ops = 0;

    if (size < 1) {
        return 0;
    }
    r.p = data;
    r.n = size;
    panel = &fuzz_panels[u8(&r) % FUZZ_PANEL_COUNT];
    memset(&cfg, 0, sizeof cfg);
    cfg.width = panel->width;
    cfg.height = panel->height;
    cfg.native_format = panel->native_format;
    cfg.formats = panel->formats;
    cfg.slot_count = panel->slot_count;
    cfg.slot_bytes = panel->slot_bytes;
    F.has_photocell = 0;
    if (fake_sign_init(&F, &S, &cfg, 0xB007u) != SKYLT_INIT_OK) {
        abort();
    }
    next_seq = 1;
    check_panel(panel);
    while (r.n > 0 && ops++ < 4096) {
        run_op(&r, panel);
        stats.commits += F.commits_reported;
        F.commits_reported = 0;
        INVARIANT(F.commit_crc_disagreements == 0, "a commit succeeded whose bytes do not decode to its CRC-32");
        check_output();
        check_panel(panel);
    }
    return 0;
}
