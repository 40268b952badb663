/*
 * Compile-time capacity of the sign core. Everything is a fixed buffer inside struct skylt_sign, so a
 * firmware build shrinks these to its panel and RAM (e.g. -DSKYLT_MAX_WIDTH=96 -DSKYLT_MAX_HEIGHT=16).
 * The defaults fit the Vara signs: 384x192 rgb888 with 16 slots of one raw frame (221,184 bytes) each,
 * about 4 MB, which the host emulator keeps in a static object.
 */
#ifndef SKYLT_CONFIG_H
#define SKYLT_CONFIG_H

#ifndef SKYLT_MAX_WIDTH
#define SKYLT_MAX_WIDTH 384u
#endif
#ifndef SKYLT_MAX_HEIGHT
#define SKYLT_MAX_HEIGHT 192u
#endif
#ifndef SKYLT_MAX_SLOTS
#define SKYLT_MAX_SLOTS 16u
#endif
#ifndef SKYLT_MAX_SLOT_BYTES
#define SKYLT_MAX_SLOT_BYTES 221184u
#endif

/*
 * The slots share one pool: slot i starts at i * slot_bytes, so a sign configured with fewer slots may
 * give each one more room (slot_count * slot_bytes <= pool).
 */
#ifndef SKYLT_SLOT_POOL_BYTES
#define SKYLT_SLOT_POOL_BYTES ((unsigned long)SKYLT_MAX_SLOTS * (unsigned long)SKYLT_MAX_SLOT_BYTES)
#endif

/* One framebuffer in the widest format (rgb888); the panel is double-buffered, so two of these. */
#ifndef SKYLT_FB_MAX_BYTES
#define SKYLT_FB_MAX_BYTES ((unsigned long)SKYLT_MAX_WIDTH * (unsigned long)SKYLT_MAX_HEIGHT * 3ul)
#endif

#if SKYLT_MAX_SLOTS < 1 || SKYLT_MAX_SLOTS > 255
/* Slot numbers are a u8 and 0xFF means "blank" in STATUS_REPORT. */
#error "SKYLT_MAX_SLOTS must be 1..255"
#endif
#if SKYLT_MAX_WIDTH < 1 || SKYLT_MAX_WIDTH > 65535 || SKYLT_MAX_HEIGHT < 1 || SKYLT_MAX_HEIGHT > 65535
#error "panel dimensions are u16 on the wire"
#endif

#endif
