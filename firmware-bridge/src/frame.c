#include "frame.h"

#include "cobs.h"
#include "crc.h"

const char *skylt_frame_defect_name(enum skylt_frame_defect d)
{
    switch (d) {
    case SKYLT_FRAME_OK:
        return "ok";
    case SKYLT_FRAME_COBS:
        return "cobs";
    case SKYLT_FRAME_LENGTH:
        return "length";
    case SKYLT_FRAME_CRC:
        return "crc";
    case SKYLT_FRAME_VERSION:
        return "version";
    }
    return "?";
}

enum skylt_frame_defect skylt_frame_decode(uint8_t *buf, size_t n, struct skylt_frame *out)
{
    size_t body_len;
    size_t len;
    uint16_t crc;

    if (skylt_cobs_decode(buf, n, buf, n, &body_len) != 0) {
        return SKYLT_FRAME_COBS;
    }
    if (body_len < SKYLT_HEADER_BYTES + 2u) {
        return SKYLT_FRAME_LENGTH;
    }
    len = (size_t)buf[4] | ((size_t)buf[5] << 8);
    if (len > SKYLT_MAX_PAYLOAD || body_len != SKYLT_HEADER_BYTES + len + 2u) {
        return SKYLT_FRAME_LENGTH;
    }
    crc = (uint16_t)(buf[SKYLT_HEADER_BYTES + len] | (buf[SKYLT_HEADER_BYTES + len + 1u] << 8));
    if (skylt_crc16(buf, SKYLT_HEADER_BYTES + len) != crc) {
        return SKYLT_FRAME_CRC;
    }
    /* Checked after the CRC so that line noise is reported as corruption, not as a foreign version. */
    if (buf[0] != SKYLT_PROTOCOL_VERSION) {
        return SKYLT_FRAME_VERSION;
    }
    out->type = buf[1];
    out->seq = buf[2];
    out->ack = buf[3];
    out->len = (uint16_t)len;
    out->payload = buf + SKYLT_HEADER_BYTES;
    return SKYLT_FRAME_OK;
}

size_t skylt_frame_encode(uint8_t type, uint8_t seq, uint8_t ack, const uint8_t *payload, size_t len, uint8_t *wire,
                          size_t cap)
{
    uint8_t header[SKYLT_HEADER_BYTES];
    uint8_t trailer[2];
    uint16_t crc;
    struct skylt_cobs_encoder e;
    size_t n;

    if (len > SKYLT_MAX_PAYLOAD || cap < SKYLT_MAX_WIRE) {
        return 0;
    }
    header[0] = SKYLT_PROTOCOL_VERSION;
    header[1] = type;
    header[2] = seq;
    header[3] = ack;
    header[4] = (uint8_t)(len & 0xFFu);
    header[5] = (uint8_t)(len >> 8);
    /* One CRC register across header and payload, so the frame is never assembled in a second buffer. */
    crc = skylt_crc16_update(SKYLT_CRC16_INIT, header, sizeof header);
    crc = skylt_crc16_update(crc, payload, len);
    trailer[0] = (uint8_t)(crc & 0xFFu);
    trailer[1] = (uint8_t)(crc >> 8);

    skylt_cobs_enc_begin(&e, wire);
    skylt_cobs_enc_put(&e, header, sizeof header);
    if (len > 0) {
        skylt_cobs_enc_put(&e, payload, len);
    }
    skylt_cobs_enc_put(&e, trailer, sizeof trailer);
    n = skylt_cobs_enc_end(&e);
    wire[n] = 0x00;
    return n + 1u;
}
