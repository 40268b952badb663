/* Shared by the fuzz target, its seed writer and the gcc random driver. */
#ifndef SKYLT_FUZZ_SIGN_H
#define SKYLT_FUZZ_SIGN_H

#include <stddef.h>
#include <stdint.h>

/* Panels the first input byte chooses from (modulo the count). */
struct fuzz_panel {
    uint16_t width, height;
    uint8_t native_format;
    uint8_t formats;
    uint8_t slot_count;
    uint32_t slot_bytes;
};
#define FUZZ_PANEL_COUNT 6
extern const struct fuzz_panel fuzz_panels[FUZZ_PANEL_COUNT];

/* Operation codes of the input program (first byte of each operation, modulo 11). */
#define FUZZ_OP_RAW 0
#define FUZZ_OP_CLOCK 2

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* How deep the inputs got: panel checks made, of which with a slot on the panel, and commits seen. */
struct fuzz_stats {
    unsigned long panel_checks;
    unsigned long slot_shown_checks;
    unsigned long commits;
};
void fuzz_sign_stats(struct fuzz_stats *out);

#endif
