/*
 * Writes the fuzz corpus seeds: one input program per shared vector session (its panel, then every
 * step's clock advance and wire bytes), so the fuzzer starts from real uploads, PLAYs and leases.
 * Usage: make-seeds DIR
 */
#include <stdio.h>
#include <string.h>

#include "../src/skylt_proto.h"
#include "../tests/test_support.h"
#include "fuzz_sign.h"
#include "vectors.h"

static uint8_t prog[1u << 20];
static uint8_t bytes[1u << 18];

int main(int argc, char **argv)
{
    unsigned i, j, written = 0;
    if (argc != 2) {
        fprintf(stderr, "usage: make-seeds DIR\n");
        return 2;
    }
    for (i = 0; i < v_sessions_count; i++) {
        const struct v_session *v = &v_sessions[i];
        size_t n = 0;
        unsigned p, best = 0;
        char path[4096];
        FILE *f;

        /* the fuzz panel closest to the session's */
        for (p = 0; p < FUZZ_PANEL_COUNT; p++) {
            if (fuzz_panels[p].width == v->panel.width && fuzz_panels[p].height == v->panel.height &&
                fuzz_panels[p].native_format == v->panel.format) {
                best = p;
                break;
            }
        }
        prog[n++] = (uint8_t)best;
        for (j = 0; j < v->n_steps && n < sizeof prog - 1024; j++) {
            size_t len = hex_decode(v->steps[j].send, bytes, sizeof bytes), off;
            unsigned long adv = v->steps[j].advance_ms;
            if (len == (size_t)-1) {
                fprintf(stderr, "bad hex in session %s\n", v->name);
                return 1;
            }
            while (adv > 0) {
                /* even u16 values advance the clock by exactly that many ms */
                unsigned long a = adv > 65534u ? 65534u : (adv & ~1ul);
                if (a == 0) {
                    break;
                }
                prog[n++] = FUZZ_OP_CLOCK;
                prog[n++] = (uint8_t)a;
                prog[n++] = (uint8_t)(a >> 8);
                adv -= a;
            }
            for (off = 0; off < len && n < sizeof prog - 300; off += 255) {
                size_t k = len - off < 255 ? len - off : 255;
                prog[n++] = FUZZ_OP_RAW;
                prog[n++] = (uint8_t)k;
                memcpy(prog + n, bytes + off, k);
                n += k;
            }
        }
        snprintf(path, sizeof path, "%s/session-%02u", argv[1], i);
        f = fopen(path, "wb");
        if (!f || fwrite(prog, 1, n, f) != n || fclose(f) != 0) {
            fprintf(stderr, "cannot write %s\n", path);
            return 1;
        }
        written++;
    }
    printf("make-seeds: %u seeds in %s\n", written, argv[1]);
    return 0;
}
