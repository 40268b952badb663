/* Shapes of the generated build/vectors.h (see vectors/to-c.mjs). Hex strings are decoded at run time. */
#ifndef SKYLT_VECTOR_TYPES_H
#define SKYLT_VECTOR_TYPES_H

struct v_crc {
    const char *hex;
    unsigned long crc;
};

struct v_cobs {
    const char *decoded;
    const char *encoded;
};

struct v_frame {
    const char *name;
    unsigned long type, seq, ack;
    const char *payload;
    const char *wire;
};

struct v_field {
    const char *name;  /* PROTOCOL.md snake_case */
    unsigned long value;
    const char *hex;   /* byte fields (SLOT_DATA data); NULL otherwise */
};

struct v_message {
    const char *name;
    unsigned long type;
    unsigned n_fields;
    const struct v_field *fields;
    const char *payload;
};

struct v_prle {
    const char *name;
    int format;
    unsigned long width, height;
    const char *framebuffer;
    const char *encoded;
    unsigned long crc32;
};

struct v_prle_invalid {
    const char *name;
    int format;
    unsigned long width, height;
    const char *encoded;
};

struct v_step {
    unsigned long advance_ms;
    const char *send;
    unsigned n_replies;
    const char *const *replies;
};

struct v_panel {
    unsigned long width, height;
    int format;
    unsigned long slot_count, slot_bytes, boot_id;
};

/* Each expectation is optional: has_x says whether the vector states it. */
struct v_final {
    int has_showing_slot;
    unsigned long showing_slot;
    int has_showing_crc32;
    unsigned long showing_crc32;
    int has_showing_priority;
    unsigned long showing_priority;
    int has_brightness;
    unsigned long brightness;
    int has_rx_errors;
    unsigned long rx_errors;
    int has_lease_left_ms;
    unsigned long lease_left_ms;
    int has_boot_id;
    unsigned long boot_id;
    const char *framebuffer; /* NULL when not stated */
};

struct v_session {
    const char *name;
    struct v_panel panel;
    unsigned n_steps;
    const struct v_step *steps;
    struct v_final final;
};

#endif
