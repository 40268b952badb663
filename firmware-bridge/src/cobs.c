#include "cobs.h"

void skylt_cobs_enc_begin(struct skylt_cobs_encoder *e, uint8_t *out)
{
    e->out = out;
    e->code_at = 0;
    e->o = 1;
    e->code = 1;
}

void skylt_cobs_enc_put(struct skylt_cobs_encoder *e, const uint8_t *in, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (in[i] == 0) {
            e->out[e->code_at] = e->code;
            e->code_at = e->o++;
            e->code = 1;
            continue;
        }
        e->out[e->o++] = in[i];
        e->code++;
        if (e->code == 0xFF) {
            e->out[e->code_at] = e->code;
            e->code_at = e->o++;
            e->code = 1;
        }
    }
}

size_t skylt_cobs_enc_end(struct skylt_cobs_encoder *e)
{
    e->out[e->code_at] = e->code;
    return e->o;
}

size_t skylt_cobs_encode(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    struct skylt_cobs_encoder e;

    if (cap < SKYLT_COBS_MAX_ENCODED(n)) {
        return 0;
    }
    skylt_cobs_enc_begin(&e, out);
    skylt_cobs_enc_put(&e, in, n);
    return skylt_cobs_enc_end(&e);
}

int skylt_cobs_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t i = 0;
    size_t o = 0;

    while (i < n) {
        uint8_t code = in[i];
        size_t end;
        size_t k;

        if (code == 0) {
            return -1;
        }
        end = i + code;
        if (end > n) {
            return -1;
        }
        for (k = i + 1; k < end; k++) {
            if (in[k] == 0 || o >= cap) {
                return -1;
            }
            out[o++] = in[k];
        }
        i = end;
        /* A 0xFF block carries no implied zero; neither does the last block. */
        if (code != 0xFF && i < n) {
            if (o >= cap) {
                return -1;
            }
            out[o++] = 0;
        }
    }
    *out_len = o;
    return 0;
}
