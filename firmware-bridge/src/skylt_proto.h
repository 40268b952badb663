/*
 * Wire constants of the Skylt bridge protocol, version 1. PROTOCOL.md in the parent folder is normative;
 * every number here is quoted from it.
 */
#ifndef SKYLT_PROTO_H
#define SKYLT_PROTO_H

#define SKYLT_PROTOCOL_VERSION 1u

#define SKYLT_HEADER_BYTES 6u
#define SKYLT_MAX_PAYLOAD 1024u
/* version, type, seq, ack, len (2), payload, crc16 (2) */
#define SKYLT_MAX_BODY (SKYLT_HEADER_BYTES + SKYLT_MAX_PAYLOAD + 2u)
/* Largest legal body plus COBS overhead, rounded up; a longer encoded frame is garbage. */
#define SKYLT_MAX_ENCODED 1040u

/* Message types: controller -> sign 0x01..0x0F, sign -> controller 0x81..0x8F. */
enum skylt_msg_type {
    SKYLT_MSG_HELLO = 0x01,
    SKYLT_MSG_SLOT_BEGIN = 0x02,
    SKYLT_MSG_SLOT_DATA = 0x03,
    SKYLT_MSG_SLOT_COMMIT = 0x04,
    SKYLT_MSG_PLAY = 0x05,
    SKYLT_MSG_BRIGHTNESS = 0x06,
    SKYLT_MSG_STATUS = 0x07,
    SKYLT_MSG_HEARTBEAT = 0x08,
    SKYLT_MSG_HELLO_REPLY = 0x81,
    SKYLT_MSG_ACK = 0x82,
    SKYLT_MSG_NAK = 0x83,
    SKYLT_MSG_STATUS_REPORT = 0x84
};

/* Payload sizes of the fixed-layout messages (section 3). */
#define SKYLT_LEN_HELLO 1u
#define SKYLT_LEN_SLOT_BEGIN 15u
#define SKYLT_LEN_SLOT_DATA_HEADER 5u
#define SKYLT_LEN_SLOT_COMMIT 1u
#define SKYLT_LEN_PLAY 10u
#define SKYLT_LEN_BRIGHTNESS 1u
#define SKYLT_LEN_STATUS 1u
#define SKYLT_LEN_HEARTBEAT 0u
#define SKYLT_LEN_HELLO_REPLY 19u
#define SKYLT_LEN_ACK 1u
#define SKYLT_LEN_NAK 1u
#define SKYLT_LEN_STATUS_REPORT 31u

enum skylt_ack_code {
    SKYLT_ACK_OK = 0,
    SKYLT_ACK_BAD_PAYLOAD = 1,
    SKYLT_ACK_NO_SUCH_SLOT = 2,
    SKYLT_ACK_BUSY = 3,
    SKYLT_ACK_TOO_BIG = 4,
    SKYLT_ACK_BAD_FORMAT = 5,
    SKYLT_ACK_CRC_MISMATCH = 6,
    SKYLT_ACK_BAD_OFFSET = 7,
    SKYLT_ACK_DECODE_ERROR = 8,
    SKYLT_ACK_UNKNOWN_TYPE = 9
};

enum skylt_nak_reason {
    SKYLT_NAK_CORRUPT = 1,
    SKYLT_NAK_GAP = 2
};

enum skylt_format {
    SKYLT_FMT_RGB888 = 1,
    SKYLT_FMT_RGB565 = 2,
    SKYLT_FMT_GRAY4 = 3,
    SKYLT_FMT_MONO = 4
};
/* Bit of a format in HELLO_REPLY.formats. */
#define SKYLT_FORMAT_BIT(fmt) (1u << ((fmt) - 1u))
#define SKYLT_FORMATS_ALL 0x0Fu

enum skylt_encoding {
    SKYLT_ENC_RAW = 0,
    SKYLT_ENC_PRLE = 1
};

/* Priorities 1 fallback, 2 scheduled, 3 override, 4 crisis; 0 = default slot or blank in STATUS_REPORT. */
#define SKYLT_PRIORITY_MIN 1u
#define SKYLT_PRIORITY_MAX 4u

#define SKYLT_NO_SLOT 0xFFu
#define SKYLT_TTL_FOREVER 0xFFFFFFFFu
#define SKYLT_LEASE_LEFT_NONE 0xFFFFFFFFu
#define SKYLT_PHOTOCELL_NONE 0xFFFFu
#define SKYLT_FLAG_PHOTOCELL 0x01u

#endif
