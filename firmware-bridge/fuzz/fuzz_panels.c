/* The panels a fuzz input can choose: small, so uploads and commits happen within a few hundred bytes. */
#include "../src/skylt_proto.h"
#include "fuzz_sign.h"

const struct fuzz_panel fuzz_panels[FUZZ_PANEL_COUNT] = {
    /* width, height, native format, accepted formats, slots, slot bytes */
    {8, 4, SKYLT_FMT_RGB888, 0, 4, 128},
    {16, 8, SKYLT_FMT_RGB888, 0, 4, 384}, /* the panel of the shared vector sessions */
    {16, 8, SKYLT_FMT_RGB565, 0, 4, 384},
    {16, 8, SKYLT_FMT_GRAY4, 0, 4, 384},
    {16, 8, SKYLT_FMT_MONO, 0, 4, 384},
    {13, 5, SKYLT_FMT_MONO, SKYLT_FORMATS_ALL, 2, 200},
};
