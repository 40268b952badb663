/*
 * Runs the shared vectors (vectors/vectors.json, via the generated build/vectors.h) against the C core:
 * the same file the TypeScript codec and virtual sign must pass. Any disagreement prints the vector's
 * name with expected and actual bytes, and the program exits non-zero.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/cobs.h"
#include "../src/crc.h"
#include "../src/frame.h"
#include "../src/prle.h"
#include "../src/skylt_sign.h"
#include "check.h"
#include "test_support.h"
#include "vectors.h"

int check_failures;
int check_count;

static struct skylt_sign S;
static struct fake_hal F;

#define BUF_BYTES (SKYLT_FB_MAX_BYTES + 4096u)
static uint8_t a[BUF_BYTES], b[BUF_BYTES], c[BUF_BYTES];

static void fail(const char *kind, const char *name, const char *what)
{
    check_failures++;
    fprintf(stderr, "VECTOR MISMATCH %s \"%s\": %s\n", kind, name, what);
}

static void print_hex(const char *label, const uint8_t *p, size_t n)
{
    size_t i;
    fprintf(stderr, "    %s (%lu bytes): ", label, (unsigned long)n);
    for (i = 0; i < n && i < 96; i++) {
        fprintf(stderr, "%02x", p[i]);
    }
    fprintf(stderr, "%s\n", n > 96 ? "..." : "");
}

static size_t unhex(const char *hex, uint8_t *out, const char *kind, const char *name)
{
    size_t n = hex_decode(hex ? hex : "", out, BUF_BYTES);
    if (n == (size_t)-1) {
        fail(kind, name, "bad hex in vector");
        return 0;
    }
    return n;
}

static void compare_bytes(const char *kind, const char *name, const char *what, const uint8_t *want, size_t wn,
                          const uint8_t *got, size_t gn)
{
    check_count++;
    if (wn != gn || (wn > 0 && memcmp(want, got, wn) != 0)) {
        fail(kind, name, what);
        print_hex("expected", want, wn);
        print_hex("got     ", got, gn);
    }
}

static void test_crcs(void)
{
    unsigned i;
    char what[64];
    for (i = 0; i < v_crc16_count; i++) {
        size_t n = unhex(v_crc16[i].hex, a, "crc16", v_crc16[i].hex);
        unsigned long got = skylt_crc16(a, n);
        check_count++;
        if (got != v_crc16[i].crc) {
            snprintf(what, sizeof what, "expected 0x%04lx, got 0x%04lx", v_crc16[i].crc, got);
            fail("crc16", v_crc16[i].hex, what);
        }
    }
    for (i = 0; i < v_crc32_count; i++) {
        size_t n = unhex(v_crc32[i].hex, a, "crc32", "");
        unsigned long got = skylt_crc32(a, n);
        check_count++;
        if (got != v_crc32[i].crc) {
            snprintf(what, sizeof what, "expected 0x%08lx, got 0x%08lx", v_crc32[i].crc, got);
            fail("crc32", "#", what);
        }
    }
}

static void test_cobs(void)
{
    unsigned i;
    for (i = 0; i < v_cobs_count; i++) {
        size_t dn = unhex(v_cobs[i].decoded, a, "cobs", v_cobs[i].encoded);
        size_t en = unhex(v_cobs[i].encoded, b, "cobs", v_cobs[i].encoded);
        size_t n = skylt_cobs_encode(a, dn, c, BUF_BYTES);
        size_t m = 0;
        compare_bytes("cobs encode", v_cobs[i].encoded, "encoded bytes", b, en, c, n);
        check_count++;
        if (skylt_cobs_decode(b, en, c, BUF_BYTES, &m) != 0) {
            fail("cobs decode", v_cobs[i].encoded, "refused as invalid COBS");
            continue;
        }
        compare_bytes("cobs decode", v_cobs[i].encoded, "decoded bytes", a, dn, c, m);
    }
}

static void test_frames(void)
{
    unsigned i;
    for (i = 0; i < v_frames_count; i++) {
        const struct v_frame *v = &v_frames[i];
        size_t pn = unhex(v->payload, a, "frame", v->name);
        size_t wn = unhex(v->wire, b, "frame", v->name);
        size_t n = skylt_frame_encode((uint8_t)v->type, (uint8_t)v->seq, (uint8_t)v->ack, a, pn, c, BUF_BYTES);
        struct skylt_frame f;
        compare_bytes("frame encode", v->name, "wire bytes", b, wn, c, n);
        check_count++;
        if (wn < 2 || b[wn - 1] != 0) {
            fail("frame", v->name, "wire does not end with the 0x00 delimiter");
            continue;
        }
        if (skylt_frame_decode(b, wn - 1, &f) != SKYLT_FRAME_OK) {
            fail("frame decode", v->name, "the receiver rejects this frame");
            continue;
        }
        check_count++;
        if (f.type != v->type || f.seq != v->seq || f.ack != v->ack) {
            fail("frame decode", v->name, "header fields differ");
        }
        compare_bytes("frame decode", v->name, "payload", a, pn, f.payload, f.len);
    }
}

/* PROTOCOL.md section 3, restated as data: each field's name and size (0 = the remaining bytes). */
struct layout_field {
    const char *name;
    int size;
};
struct layout {
    unsigned type;
    struct layout_field f[13];
};
static const struct layout layouts[] = {
    {SKYLT_MSG_HELLO, {{"protocol_version", 1}}},
    {SKYLT_MSG_SLOT_BEGIN,
     {{"slot", 1}, {"format", 1}, {"encoding", 1}, {"width", 2}, {"height", 2}, {"encoded_len", 4}, {"crc32", 4}}},
    {SKYLT_MSG_SLOT_DATA, {{"slot", 1}, {"offset", 4}, {"data", 0}}},
    {SKYLT_MSG_SLOT_COMMIT, {{"slot", 1}}},
    {SKYLT_MSG_PLAY, {{"slot", 1}, {"crc32", 4}, {"priority", 1}, {"ttl_ms", 4}}},
    {SKYLT_MSG_BRIGHTNESS, {{"percent", 1}}},
    {SKYLT_MSG_STATUS, {{"query_slot", 1}}},
    {SKYLT_MSG_HEARTBEAT, {{0, 0}}},
    {SKYLT_MSG_HELLO_REPLY,
     {{"protocol_version", 1},
      {"width", 2},
      {"height", 2},
      {"formats", 1},
      {"native_format", 1},
      {"slot_count", 1},
      {"slot_bytes", 4},
      {"max_payload", 2},
      {"boot_id", 4},
      {"flags", 1}}},
    {SKYLT_MSG_ACK, {{"code", 1}}},
    {SKYLT_MSG_NAK, {{"reason", 1}}},
    {SKYLT_MSG_STATUS_REPORT,
     {{"showing_slot", 1},
      {"showing_crc32", 4},
      {"showing_priority", 1},
      {"lease_left_ms", 4},
      {"brightness", 1},
      {"photocell", 2},
      {"boot_id", 4},
      {"uptime_ms", 4},
      {"rx_errors", 4},
      {"query_slot", 1},
      {"query_valid", 1},
      {"query_crc32", 4}}},
};

static void test_messages(void)
{
    unsigned i, k, j;
    char what[160];
    for (i = 0; i < v_messages_count; i++) {
        const struct v_message *m = &v_messages[i];
        const struct layout *lay = NULL;
        size_t pn = unhex(m->payload, a, "message", m->name);
        size_t n = 0;
        int used[32] = {0};
        for (k = 0; k < sizeof layouts / sizeof layouts[0]; k++) {
            if (layouts[k].type == m->type) {
                lay = &layouts[k];
            }
        }
        check_count++;
        if (!lay) {
            snprintf(what, sizeof what, "type 0x%02lx is not in PROTOCOL.md section 3", m->type);
            fail("message", m->name, what);
            continue;
        }
        for (k = 0; k < 13 && lay->f[k].name; k++) {
            const struct v_field *vf = NULL;
            for (j = 0; j < m->n_fields; j++) {
                if (strcmp(m->fields[j].name, lay->f[k].name) == 0) {
                    vf = &m->fields[j];
                    used[j] = 1;
                }
            }
            if (!vf) {
                snprintf(what, sizeof what, "field %s missing from the vector", lay->f[k].name);
                fail("message", m->name, what);
                continue;
            }
            if (lay->f[k].size == 0) {
                n += unhex(vf->hex, b + n, "message", m->name);
            } else {
                int byte;
                for (byte = 0; byte < lay->f[k].size; byte++) {
                    b[n++] = (uint8_t)(vf->value >> (8 * byte));
                }
                if (lay->f[k].size < 4 && (vf->value >> (8 * lay->f[k].size)) != 0) {
                    snprintf(what, sizeof what, "field %s = %lu does not fit %d bytes", vf->name, vf->value,
                             lay->f[k].size);
                    fail("message", m->name, what);
                }
            }
        }
        for (j = 0; j < m->n_fields; j++) {
            if (m->fields[j].name && !used[j]) {
                snprintf(what, sizeof what, "field %s is not in PROTOCOL.md's layout", m->fields[j].name);
                fail("message", m->name, what);
            }
        }
        compare_bytes("message", m->name, "payload built from the fields by PROTOCOL.md's layout", a, pn, b, n);
    }
}

static void test_prle(void)
{
    unsigned i;
    for (i = 0; i < v_prle_count; i++) {
        const struct v_prle *p = &v_prle[i];
        size_t fn = unhex(p->framebuffer, a, "prle", p->name);
        size_t en = unhex(p->encoded, b, "prle", p->name);
        enum skylt_prle_result r =
            skylt_prle_decode((uint8_t)p->format, (uint16_t)p->width, (uint16_t)p->height, b, en, c, BUF_BYTES);
        size_t size = skylt_fb_size((uint8_t)p->format, (uint16_t)p->width, (uint16_t)p->height);
        check_count++;
        if (r != SKYLT_PRLE_OK) {
            fail("prle", p->name, skylt_prle_result_name(r));
            continue;
        }
        compare_bytes("prle", p->name, "decoded framebuffer", a, fn, c, size);
        check_count++;
        if (skylt_crc32(c, size) != p->crc32) {
            fail("prle", p->name, "CRC-32 of the decoded framebuffer differs");
        }
    }
    for (i = 0; i < v_prle_invalid_count; i++) {
        const struct v_prle_invalid *p = &v_prle_invalid[i];
        size_t en = unhex(p->encoded, b, "prle_invalid", p->name);
        enum skylt_prle_result r =
            skylt_prle_decode((uint8_t)p->format, (uint16_t)p->width, (uint16_t)p->height, b, en, c, BUF_BYTES);
        check_count++;
        if (r == SKYLT_PRLE_OK) {
            fail("prle_invalid", p->name, "decoded without error, must be refused");
        }
    }
}

static void test_sessions(void)
{
    unsigned i, j, k;
    char what[200];
    for (i = 0; i < v_sessions_count; i++) {
        const struct v_session *v = &v_sessions[i];
        struct skylt_config cfg;
        struct skylt_status st;
        enum skylt_init_result ir;

        memset(&cfg, 0, sizeof cfg);
        cfg.width = (uint16_t)v->panel.width;
        cfg.height = (uint16_t)v->panel.height;
        cfg.native_format = (uint8_t)v->panel.format;
        cfg.slot_count = (uint8_t)v->panel.slot_count;
        cfg.slot_bytes = (uint32_t)v->panel.slot_bytes;
        F.has_photocell = 0;
        ir = fake_sign_init(&F, &S, &cfg, (uint32_t)v->panel.boot_id);
        check_count++;
        if (ir != SKYLT_INIT_OK) {
            fail("session", v->name, skylt_init_result_name(ir));
            continue;
        }
        for (j = 0; j < v->n_steps; j++) {
            const struct v_step *step = &v->steps[j];
            size_t sn = unhex(step->send, a, "session", v->name);
            F.now += (uint32_t)step->advance_ms;
            skylt_sign_tick(&S); /* as the emulator's timer would */
            skylt_sign_rx(&S, a, sn);
            for (k = 0; k < step->n_replies; k++) {
                size_t rn = unhex(step->replies[k], b, "session", v->name);
                size_t got = 0;
                while (got < F.out_len && F.out[got] != 0) {
                    got++;
                }
                got = got < F.out_len ? got + 1 : got; /* include the delimiter */
                snprintf(what, sizeof what, "step %u, reply %u", j, k);
                compare_bytes("session", v->name, what, b, rn, F.out, got);
                memmove(F.out, F.out + got, F.out_len - got);
                F.out_len -= got;
            }
            check_count++;
            if (F.out_len > 0) {
                snprintf(what, sizeof what, "step %u: the sign sent more than the %u expected replies", j,
                         step->n_replies);
                fail("session", v->name, what);
                print_hex("extra", F.out, F.out_len);
                F.out_len = 0;
            }
        }
        skylt_sign_status(&S, &st);
#define FINAL(field, actual)                                                                                           \
    do {                                                                                                               \
        check_count++;                                                                                                 \
        if (v->final.has_##field && v->final.field != (unsigned long)(actual)) {                                       \
            snprintf(what, sizeof what, "final " #field ": expected %lu, got %lu", v->final.field,                     \
                     (unsigned long)(actual));                                                                         \
            fail("session", v->name, what);                                                                            \
        }                                                                                                              \
    } while (0)
        FINAL(showing_slot, st.showing_slot);
        FINAL(showing_crc32, st.showing_crc32);
        FINAL(showing_priority, st.showing_priority);
        FINAL(brightness, st.brightness);
        FINAL(rx_errors, st.rx_errors);
        FINAL(lease_left_ms, st.lease_left_ms);
        FINAL(boot_id, st.boot_id);
#undef FINAL
        if (v->final.framebuffer) {
            size_t fn = unhex(v->final.framebuffer, b, "session", v->name);
            size_t vis = 0;
            uint8_t fmt = 0;
            const uint8_t *fb = skylt_sign_visible(&S, &vis, &fmt);
            compare_bytes("session", v->name, "final framebuffer", b, fn, fb, vis);
            compare_bytes("session", v->name, "final framebuffer as presented", b, fn, F.shown, F.shown_bytes);
        }
    }
}

int main(void)
{
    test_crcs();
    test_cobs();
    test_frames();
    test_messages();
    test_prle();
    test_sessions();
    printf("vectors: crc16 %u, crc32 %u, cobs %u, frames %u, messages %u, prle %u, prle_invalid %u, sessions %u; "
           "%d checks, %d failed\n",
           v_crc16_count, v_crc32_count, v_cobs_count, v_frames_count, v_messages_count, v_prle_count,
           v_prle_invalid_count, v_sessions_count, check_count, check_failures);
    if (v_sessions_count == 0 || v_frames_count == 0) {
        fprintf(stderr, "vectors.json holds no sessions or frames: refusing to pass an empty test\n");
        return 1;
    }
    return check_failures ? 1 : 0;
}
