/*
 * One bridge frame: COBS(version, type, seq, ack, len, payload, crc16) 0x00 (PROTOCOL.md section 1).
 */
#ifndef SKYLT_FRAME_H
#define SKYLT_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "skylt_proto.h"

/* Largest wire frame the sign sends or the receiver accepts, delimiter included. */
#define SKYLT_MAX_WIRE (SKYLT_MAX_ENCODED + 1u)

struct skylt_frame {
    uint8_t type;
    uint8_t seq;
    uint8_t ack;
    uint16_t len;
    const uint8_t *payload; /* points into the buffer given to skylt_frame_decode */
};

enum skylt_frame_defect {
    SKYLT_FRAME_OK = 0,
    SKYLT_FRAME_COBS,    /* not valid COBS */
    SKYLT_FRAME_LENGTH,  /* shorter than a header + CRC, len > MAX_PAYLOAD, or len disagrees with the body */
    SKYLT_FRAME_CRC,     /* CRC-16 fails */
    SKYLT_FRAME_VERSION  /* intact, but not protocol version 1 */
};

const char *skylt_frame_defect_name(enum skylt_frame_defect d);

/*
 * Decodes one encoded frame (delimiter removed) in place: buf is overwritten with the body and
 * out->payload points into it.
 */
enum skylt_frame_defect skylt_frame_decode(uint8_t *buf, size_t n, struct skylt_frame *out);

/*
 * Encodes a version-1 frame with its trailing 0x00 into wire. Returns the wire length, or 0 when len >
 * MAX_PAYLOAD or cap < SKYLT_MAX_WIRE.
 */
size_t skylt_frame_encode(uint8_t type, uint8_t seq, uint8_t ack, const uint8_t *payload, size_t len, uint8_t *wire,
                          size_t cap);

#endif
