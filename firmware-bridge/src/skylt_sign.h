/*
 * The sign side of the Skylt bridge protocol (PROTOCOL.md): a receiver core in portable C99 with no
 * malloc. It owns the reliability rules, the slot store, the leases and a double-buffered panel; the
 * hardware is reached only through struct skylt_hal.
 *
 * Threading: one thread (or the main loop of a microcontroller) calls every skylt_sign_* function; the
 * HAL callbacks are made from inside those calls. Nothing here blocks.
 */
#ifndef SKYLT_SIGN_H
#define SKYLT_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "skylt_config.h"
#include "skylt_proto.h"

struct skylt_hal {
    void *ctx;
    /* Bytes for the link (one whole wire frame per call). The link is lossy by design: a driver that
     * cannot send may drop the frame, and the controller's retransmission recovers it. */
    void (*link_write)(void *ctx, const uint8_t *bytes, size_t n);
    /* Shows a complete framebuffer of fb_bytes bytes in `format` (always width x height of the panel).
     * The buffer stays valid and unchanged until the next present call, so a driver may scan out of it
     * directly (DMA) instead of copying. */
    void (*present)(void *ctx, const uint8_t *fb, size_t fb_bytes, uint8_t format, uint16_t width,
                    uint16_t height);
    /* Optional (may be NULL): panel brightness 0..100 %. */
    void (*set_brightness)(void *ctx, uint8_t percent);
    /* Optional (NULL when the sign has no photocell): ambient light reading for STATUS_REPORT. */
    uint16_t (*read_photocell)(void *ctx);
    /* Millisecond clock; it may wrap at 2^32, all arithmetic on it is modular. */
    uint32_t (*now_ms)(void *ctx);
    /* A value that differs at every boot (random, or a counter in non-volatile memory). */
    uint32_t (*boot_id)(void *ctx);
    /* Optional: called after a successful commit, so firmware can copy the slots it keeps across power
     * cycles (at least slot 0, the default page) to flash and give them back with skylt_sign_restore_slot. */
    void (*slot_committed)(void *ctx, uint8_t slot, uint8_t format, uint8_t encoding, const uint8_t *encoded,
                           uint32_t encoded_len, uint32_t crc32);
};

struct skylt_config {
    uint16_t width;
    uint16_t height;
    uint8_t native_format;  /* enum skylt_format of the panel */
    uint8_t formats;        /* formats accepted in SLOT_BEGIN (bit set); 0 = the native format only */
    uint8_t slot_count;     /* 1..SKYLT_MAX_SLOTS */
    uint32_t slot_bytes;    /* slot_count * slot_bytes <= SKYLT_SLOT_POOL_BYTES */
};

enum skylt_init_result {
    SKYLT_INIT_OK = 0,
    SKYLT_INIT_BAD_HAL,      /* link_write, present, now_ms and boot_id are required */
    SKYLT_INIT_BAD_SIZE,     /* width/height zero or above SKYLT_MAX_WIDTH/HEIGHT */
    SKYLT_INIT_BAD_FORMAT,   /* unknown native format or accepted format, or one that does not fit the buffers */
    SKYLT_INIT_BAD_SLOTS     /* slot_count/slot_bytes outside the compiled capacity */
};

const char *skylt_init_result_name(enum skylt_init_result r);

/* What STATUS_REPORT carries (minus the query part), for host tooling and tests. */
struct skylt_status {
    uint8_t showing_slot;      /* SKYLT_NO_SLOT when blank */
    uint32_t showing_crc32;    /* 0 when blank */
    uint8_t showing_priority;  /* 0: default slot or blank */
    uint32_t lease_left_ms;    /* SKYLT_LEASE_LEFT_NONE: no expiry or no lease */
    uint8_t brightness;
    uint16_t photocell;        /* SKYLT_PHOTOCELL_NONE without a photocell */
    uint32_t boot_id;
    uint32_t uptime_ms;
    uint32_t rx_errors;
    uint8_t last_seq;          /* `last` of PROTOCOL.md section 2 */
};

struct skylt_slot_info {
    uint8_t valid;             /* committed and CRC-checked */
    uint8_t state;             /* enum skylt_slot_state */
    uint8_t format;
    uint8_t encoding;
    uint32_t encoded_len;
    uint32_t crc32;            /* recorded at commit: CRC-32 of the decoded framebuffer */
    const uint8_t *encoded;    /* the stored bytes */
};

/* Internal state; treat as opaque (fields may change). Sized by skylt_config.h. */
/* A slot is empty, receiving an upload, or valid (committed, CRC checked). Every slot has its own
 * upload state because the controller interleaves uploads: a crisis upload overtakes a normal one. */
enum skylt_slot_state {
    SKYLT_SLOT_EMPTY = 0,
    SKYLT_SLOT_RECEIVING,
    SKYLT_SLOT_VALID
};

struct skylt_slot_meta {
    uint8_t state;
    uint8_t format;
    uint8_t encoding;
    uint32_t encoded_len;
    uint32_t crc32;          /* from SLOT_BEGIN while receiving; verified once valid */
    uint32_t received;
};

struct skylt_lease {
    uint8_t live;
    uint8_t slot;
    uint32_t crc32;
    uint32_t start_ms;
    uint32_t ttl_ms;
};

struct skylt_sign {
    struct skylt_config cfg;
    struct skylt_hal hal;

    uint32_t boot_id;
    uint32_t boot_ms;
    uint8_t expected;        /* next seq accepted; last = expected - 1 */
    uint8_t brightness;
    uint32_t rx_errors;

    struct skylt_slot_meta slots[SKYLT_MAX_SLOTS];
    struct skylt_lease leases[SKYLT_PRIORITY_MAX + 1u]; /* index = priority; [0] unused */

    /* What the panel shows. shown_known = 0 forces the next refresh to present. */
    uint8_t shown_known;
    uint8_t shown_slot;
    uint32_t shown_crc32;
    uint8_t shown_priority;
    uint8_t shown_format;
    size_t shown_bytes;
    uint8_t front;           /* index into fb of the buffer the panel scans out */

    /* Receive framing: one encoded frame, never more (garbage is discarded until the next 0x00). */
    uint16_t rx_len;
    uint8_t rx_overflow;
    uint8_t rx_buf[SKYLT_MAX_ENCODED];
    uint8_t tx_wire[SKYLT_MAX_WIRE];

    uint8_t fb[2][SKYLT_FB_MAX_BYTES];
    uint8_t pool[SKYLT_SLOT_POOL_BYTES];
};

/*
 * Cold start: every slot empty, no lease, panel black, brightness 100, expected seq 1, boot_id from the
 * HAL. Does not send anything: call skylt_sign_announce() once the link is up (PROTOCOL.md: a sign sends
 * HELLO_REPLY unsolicited when it boots).
 */
enum skylt_init_result skylt_sign_init(struct skylt_sign *s, const struct skylt_config *cfg,
                                       const struct skylt_hal *hal);

/* Sends an unsolicited HELLO_REPLY (at boot, and whenever a new link comes up). */
void skylt_sign_announce(struct skylt_sign *s);

/* Feeds bytes from the link in any chunking; replies go out through hal.link_write. */
void skylt_sign_rx(struct skylt_sign *s, const uint8_t *bytes, size_t n);

/* Drops a partly received frame (a new TCP connection must not continue the old one's bytes). */
void skylt_sign_link_reset(struct skylt_sign *s);

/* Expires leases whose TTL has run out and re-evaluates the panel. Call at least at next_deadline. */
void skylt_sign_tick(struct skylt_sign *s);

/* Milliseconds until the next lease expires, or SKYLT_NO_DEADLINE. */
#define SKYLT_NO_DEADLINE 0xFFFFFFFFu
uint32_t skylt_sign_next_deadline(struct skylt_sign *s);

/*
 * Power cycle: volatile state is lost (slots 1..N, leases, uploads, brightness, counters, seq state) and a
 * new boot_id is taken from the HAL; slot 0 is treated as non-volatile and kept. Like init, sends nothing.
 */
void skylt_sign_reboot(struct skylt_sign *s);

/*
 * Gives back a slot kept in non-volatile memory at boot. Runs the same checks as SLOT_BEGIN + COMMIT
 * (without BUSY) and returns an enum skylt_ack_code; the slot is valid only on SKYLT_ACK_OK.
 */
uint8_t skylt_sign_restore_slot(struct skylt_sign *s, uint8_t slot, uint8_t format, uint8_t encoding,
                                const uint8_t *encoded, uint32_t encoded_len, uint32_t crc32);

/* Current status (expires leases first, like a STATUS request would). */
void skylt_sign_status(struct skylt_sign *s, struct skylt_status *out);
/* The same without expiring anything: safe to call from inside a HAL callback (e.g. present). */
void skylt_sign_peek_status(const struct skylt_sign *s, struct skylt_status *out);

/* A slot's stored state; returns 0, or -1 when slot >= slot_count. */
int skylt_sign_slot_info(const struct skylt_sign *s, uint8_t slot, struct skylt_slot_info *out);

/* The framebuffer the panel shows now (the last one given to hal.present). */
const uint8_t *skylt_sign_visible(const struct skylt_sign *s, size_t *fb_bytes, uint8_t *format);

#endif
