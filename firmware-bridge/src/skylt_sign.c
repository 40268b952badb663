#include "skylt_sign.h"

#include <string.h>

#include "crc.h"
#include "prle.h"

/* ---- little helpers ------------------------------------------------------------------------------ */

static uint16_t get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint8_t *put_u8(uint8_t *p, uint8_t v)
{
    *p = v;
    return p + 1;
}

static uint8_t *put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v & 0xFFu);
    p[1] = (uint8_t)(v >> 8);
    return p + 2;
}

static uint8_t *put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v & 0xFFu);
    p[1] = (uint8_t)((v >> 8) & 0xFFu);
    p[2] = (uint8_t)((v >> 16) & 0xFFu);
    p[3] = (uint8_t)(v >> 24);
    return p + 4;
}

static uint32_t now(const struct skylt_sign *s)
{
    return s->hal.now_ms(s->hal.ctx);
}

static uint8_t last_seq(const struct skylt_sign *s)
{
    return (uint8_t)(s->expected - 1u);
}

static uint8_t *slot_data(struct skylt_sign *s, uint8_t slot)
{
    return s->pool + (size_t)slot * s->cfg.slot_bytes;
}

static uint8_t *back_buffer(struct skylt_sign *s)
{
    return s->fb[s->front ^ 1u];
}

const char *skylt_init_result_name(enum skylt_init_result r)
{
    switch (r) {
    case SKYLT_INIT_OK:
        return "ok";
    case SKYLT_INIT_BAD_HAL:
        return "HAL lacks link_write, present, now_ms or boot_id";
    case SKYLT_INIT_BAD_SIZE:
        return "panel size is zero or above SKYLT_MAX_WIDTH x SKYLT_MAX_HEIGHT";
    case SKYLT_INIT_BAD_FORMAT:
        return "unknown pixel format, or a framebuffer larger than SKYLT_FB_MAX_BYTES";
    case SKYLT_INIT_BAD_SLOTS:
        return "slot_count or slot_bytes outside SKYLT_MAX_SLOTS / SKYLT_SLOT_POOL_BYTES";
    }
    return "?";
}

/* ---- sending ------------------------------------------------------------------------------------- */

static void send_frame(struct skylt_sign *s, uint8_t type, uint8_t ack, const uint8_t *payload, size_t len)
{
    /* Replies are not sequenced: seq is always 0 (PROTOCOL.md section 1). */
    size_t n = skylt_frame_encode(type, 0, ack, payload, len, s->tx_wire, sizeof s->tx_wire);
    if (n > 0) {
        s->hal.link_write(s->hal.ctx, s->tx_wire, n);
    }
}

static void send_ack(struct skylt_sign *s, uint8_t ack, uint8_t code)
{
    send_frame(s, SKYLT_MSG_ACK, ack, &code, 1);
}

static void send_nak(struct skylt_sign *s, uint8_t reason)
{
    send_frame(s, SKYLT_MSG_NAK, last_seq(s), &reason, 1);
}

static void send_hello_reply(struct skylt_sign *s)
{
    uint8_t p[SKYLT_LEN_HELLO_REPLY];
    uint8_t *w = p;
    w = put_u8(w, SKYLT_PROTOCOL_VERSION);
    w = put_u16(w, s->cfg.width);
    w = put_u16(w, s->cfg.height);
    w = put_u8(w, s->cfg.formats);
    w = put_u8(w, s->cfg.native_format);
    w = put_u8(w, s->cfg.slot_count);
    w = put_u32(w, s->cfg.slot_bytes);
    w = put_u16(w, SKYLT_MAX_PAYLOAD);
    w = put_u32(w, s->boot_id);
    (void)put_u8(w, s->hal.read_photocell ? SKYLT_FLAG_PHOTOCELL : 0u);
    /* Not an acknowledgement of anything: ack is 0 (also when announced mid-life on a new link). */
    send_frame(s, SKYLT_MSG_HELLO_REPLY, 0, p, sizeof p);
}

/* ---- leases and the panel ------------------------------------------------------------------------ */

static int lease_expired(const struct skylt_lease *l, uint32_t t)
{
    /* Modular difference: correct across the 2^32 ms wrap as long as ticks come at least every 49 days. */
    return l->ttl_ms != SKYLT_TTL_FOREVER && (uint32_t)(t - l->start_ms) >= l->ttl_ms;
}

static void expire_leases(struct skylt_sign *s)
{
    uint32_t t = now(s);
    unsigned p;
    for (p = SKYLT_PRIORITY_MIN; p <= SKYLT_PRIORITY_MAX; p++) {
        if (s->leases[p].live && lease_expired(&s->leases[p], t)) {
            s->leases[p].live = 0;
        }
    }
}

static void present_back(struct skylt_sign *s, uint8_t slot, uint32_t crc, uint8_t priority, uint8_t format,
                         size_t bytes)
{
    s->front ^= 1u;
    s->shown_known = 1;
    s->shown_slot = slot;
    s->shown_crc32 = crc;
    s->shown_priority = priority;
    s->shown_format = format;
    s->shown_bytes = bytes;
    s->hal.present(s->hal.ctx, s->fb[s->front], bytes, format, s->cfg.width, s->cfg.height);
}

static void present_black(struct skylt_sign *s)
{
    size_t bytes = skylt_fb_size(s->cfg.native_format, s->cfg.width, s->cfg.height);
    /* All-zero bytes are black (unlit) in every pixel format. */
    memset(back_buffer(s), 0, bytes);
    present_back(s, SKYLT_NO_SLOT, 0, 0, s->cfg.native_format, bytes);
}

/*
 * Decodes a slot into `out` and checks its CRC-32 against the one recorded at commit. Used both at
 * commit and before every show, so a slot corrupted in RAM after its commit is never shown either.
 */
static uint8_t decode_slot(struct skylt_sign *s, uint8_t format, uint8_t encoding, const uint8_t *encoded,
                           uint32_t encoded_len, uint32_t expected_crc, uint8_t *out, size_t *out_bytes)
{
    size_t bytes = skylt_fb_size(format, s->cfg.width, s->cfg.height);
    if (bytes == 0 || bytes > SKYLT_FB_MAX_BYTES) {
        return SKYLT_ACK_BAD_FORMAT;
    }
    if (encoding == SKYLT_ENC_RAW) {
        if (encoded_len != bytes) {
            return SKYLT_ACK_DECODE_ERROR;
        }
        memcpy(out, encoded, bytes);
    } else if (encoding == SKYLT_ENC_PRLE) {
        if (skylt_prle_decode(format, s->cfg.width, s->cfg.height, encoded, encoded_len, out,
                              SKYLT_FB_MAX_BYTES) != SKYLT_PRLE_OK) {
            return SKYLT_ACK_DECODE_ERROR;
        }
    } else {
        return SKYLT_ACK_BAD_FORMAT;
    }
    if (skylt_crc32(out, bytes) != expected_crc) {
        return SKYLT_ACK_CRC_MISMATCH;
    }
    *out_bytes = bytes;
    return SKYLT_ACK_OK;
}

static void forget_slot(struct skylt_sign *s, uint8_t slot)
{
    unsigned p;
    s->slots[slot].state = SKYLT_SLOT_EMPTY;
    for (p = SKYLT_PRIORITY_MIN; p <= SKYLT_PRIORITY_MAX; p++) {
        if (s->leases[p].live && s->leases[p].slot == slot) {
            s->leases[p].live = 0;
        }
    }
}

/*
 * Shows the highest-priority live lease, else the default slot 0 when valid, else black. The new frame is
 * decoded into the back buffer and verified before the buffers swap, so the panel never shows a partial
 * or unverified frame.
 */
static void refresh(struct skylt_sign *s)
{
    unsigned attempt;
    /* Each failed attempt forgets one slot, so this ends after at most slot_count + 1 rounds. */
    for (attempt = 0; attempt <= s->cfg.slot_count; attempt++) {
        uint8_t slot = SKYLT_NO_SLOT;
        uint32_t crc = 0;
        uint8_t priority = 0;
        unsigned p;
        size_t bytes = 0;

        for (p = SKYLT_PRIORITY_MAX; p >= SKYLT_PRIORITY_MIN; p--) {
            if (s->leases[p].live) {
                slot = s->leases[p].slot;
                crc = s->leases[p].crc32;
                priority = (uint8_t)p;
                break;
            }
        }
        if (slot == SKYLT_NO_SLOT && s->slots[0].state == SKYLT_SLOT_VALID) {
            slot = 0;
            crc = s->slots[0].crc32;
        }
        if (s->shown_known && slot == s->shown_slot && crc == s->shown_crc32) {
            /* Same bytes already on the panel (a shown slot cannot be re-uploaded): no flicker. */
            s->shown_priority = priority;
            return;
        }
        if (slot == SKYLT_NO_SLOT) {
            present_black(s);
            return;
        }
        if (s->slots[slot].state == SKYLT_SLOT_VALID && s->slots[slot].crc32 == crc &&
            decode_slot(s, s->slots[slot].format, s->slots[slot].encoding, slot_data(s, slot),
                        s->slots[slot].encoded_len, crc, back_buffer(s), &bytes) == SKYLT_ACK_OK) {
            present_back(s, slot, crc, priority, s->slots[slot].format, bytes);
            return;
        }
        forget_slot(s, slot);
    }
    present_black(s);
}

/* ---- message handlers: each returns the ACK code of section 5 -------------------------------------- */

static int slot_in_use(const struct skylt_sign *s, uint8_t slot)
{
    unsigned p;
    if (s->shown_known && s->shown_slot == slot) {
        return 1;
    }
    for (p = SKYLT_PRIORITY_MIN; p <= SKYLT_PRIORITY_MAX; p++) {
        if (s->leases[p].live && s->leases[p].slot == slot) {
            return 1;
        }
    }
    return 0;
}

static int format_accepted(const struct skylt_sign *s, uint8_t format)
{
    return format >= SKYLT_FMT_RGB888 && format <= SKYLT_FMT_MONO && (s->cfg.formats & SKYLT_FORMAT_BIT(format));
}

static uint8_t on_slot_begin(struct skylt_sign *s, const uint8_t *p, size_t len)
{
    uint8_t slot, format, encoding;
    uint16_t width, height;
    uint32_t encoded_len, crc;

    if (len != SKYLT_LEN_SLOT_BEGIN) {
        return SKYLT_ACK_BAD_PAYLOAD;
    }
    slot = p[0];
    format = p[1];
    encoding = p[2];
    width = get_u16(p + 3);
    height = get_u16(p + 5);
    encoded_len = get_u32(p + 7);
    crc = get_u32(p + 11);

    if (slot >= s->cfg.slot_count) {
        return SKYLT_ACK_NO_SUCH_SLOT;
    }
    if (!format_accepted(s, format) || encoding > SKYLT_ENC_PRLE || width != s->cfg.width ||
        height != s->cfg.height) {
        return SKYLT_ACK_BAD_FORMAT;
    }
    if (encoded_len == 0) {
        return SKYLT_ACK_BAD_PAYLOAD;
    }
    if (encoded_len > s->cfg.slot_bytes) {
        return SKYLT_ACK_TOO_BIG;
    }
    if (encoding == SKYLT_ENC_RAW && encoded_len != skylt_fb_size(format, width, height)) {
        /* Refused now rather than at commit, before the controller sends a whole frame for nothing. */
        return SKYLT_ACK_BAD_PAYLOAD;
    }
    if (slot_in_use(s, slot)) {
        return SKYLT_ACK_BUSY;
    }
    /* Restarts any upload already open on this slot; uploads to other slots carry on. */
    s->slots[slot].state = SKYLT_SLOT_RECEIVING;
    s->slots[slot].format = format;
    s->slots[slot].encoding = encoding;
    s->slots[slot].encoded_len = encoded_len;
    s->slots[slot].crc32 = crc;
    s->slots[slot].received = 0;
    return SKYLT_ACK_OK;
}

static uint8_t on_slot_data(struct skylt_sign *s, const uint8_t *p, size_t len)
{
    uint8_t slot;
    uint32_t offset, n;
    struct skylt_slot_meta *m;

    if (len < SKYLT_LEN_SLOT_DATA_HEADER + 1u) {
        return SKYLT_ACK_BAD_PAYLOAD;
    }
    slot = p[0];
    offset = get_u32(p + 1);
    n = (uint32_t)(len - SKYLT_LEN_SLOT_DATA_HEADER);
    if (slot >= s->cfg.slot_count) {
        return SKYLT_ACK_NO_SUCH_SLOT;
    }
    m = &s->slots[slot];
    if (m->state != SKYLT_SLOT_RECEIVING || offset != m->received || n > m->encoded_len - m->received) {
        return SKYLT_ACK_BAD_OFFSET;
    }
    memcpy(slot_data(s, slot) + offset, p + SKYLT_LEN_SLOT_DATA_HEADER, n);
    m->received += n;
    return SKYLT_ACK_OK;
}

static uint8_t commit(struct skylt_sign *s, uint8_t slot, uint8_t format, uint8_t encoding, uint32_t encoded_len,
                      uint32_t crc)
{
    size_t bytes = 0;
    /* The back buffer is free between presents, so verification needs no third framebuffer. */
    uint8_t code = decode_slot(s, format, encoding, slot_data(s, slot), encoded_len, crc, back_buffer(s), &bytes);
    if (code != SKYLT_ACK_OK) {
        s->slots[slot].state = SKYLT_SLOT_EMPTY;
        return code;
    }
    s->slots[slot].state = SKYLT_SLOT_VALID;
    s->slots[slot].format = format;
    s->slots[slot].encoding = encoding;
    s->slots[slot].encoded_len = encoded_len;
    s->slots[slot].crc32 = crc;
    s->slots[slot].received = encoded_len;
    return SKYLT_ACK_OK;
}

static uint8_t on_slot_commit(struct skylt_sign *s, const uint8_t *p, size_t len)
{
    uint8_t slot, code;
    struct skylt_slot_meta *m;

    if (len != SKYLT_LEN_SLOT_COMMIT) {
        return SKYLT_ACK_BAD_PAYLOAD;
    }
    slot = p[0];
    if (slot >= s->cfg.slot_count) {
        return SKYLT_ACK_NO_SUCH_SLOT;
    }
    m = &s->slots[slot];
    if (m->state != SKYLT_SLOT_RECEIVING || m->received != m->encoded_len) {
        /* An open upload stays open: the controller may still send the missing data. */
        return SKYLT_ACK_BAD_OFFSET;
    }
    /* A failed commit empties the slot; the controller starts again with SLOT_BEGIN. */
    code = commit(s, slot, m->format, m->encoding, m->encoded_len, m->crc32);
    if (code == SKYLT_ACK_OK && s->hal.slot_committed) {
        s->hal.slot_committed(s->hal.ctx, slot, s->slots[slot].format, s->slots[slot].encoding, slot_data(s, slot),
                              s->slots[slot].encoded_len, s->slots[slot].crc32);
    }
    return code;
}

static uint8_t on_play(struct skylt_sign *s, const uint8_t *p, size_t len)
{
    uint8_t slot, priority;
    uint32_t crc, ttl;
    struct skylt_lease *l;

    if (len != SKYLT_LEN_PLAY) {
        return SKYLT_ACK_BAD_PAYLOAD;
    }
    slot = p[0];
    crc = get_u32(p + 1);
    priority = p[5];
    ttl = get_u32(p + 6);
    if (priority < SKYLT_PRIORITY_MIN || priority > SKYLT_PRIORITY_MAX) {
        return SKYLT_ACK_BAD_PAYLOAD;
    }
    l = &s->leases[priority];
    if (ttl == 0) {
        /* Ends the lease at this priority whatever slot/crc say: this is how a crisis is ended. */
        l->live = 0;
        return SKYLT_ACK_OK;
    }
    if (slot >= s->cfg.slot_count) {
        return SKYLT_ACK_NO_SUCH_SLOT;
    }
    if (s->slots[slot].state != SKYLT_SLOT_VALID || s->slots[slot].crc32 != crc) {
        /* A frame that did not pass its CRC is never shown; the previous lease stays as it was. */
        return SKYLT_ACK_CRC_MISMATCH;
    }
    l->live = 1;
    l->slot = slot;
    l->crc32 = crc;
    l->start_ms = now(s);
    l->ttl_ms = ttl;
    return SKYLT_ACK_OK;
}

static uint8_t on_brightness(struct skylt_sign *s, const uint8_t *p, size_t len)
{
    if (len != SKYLT_LEN_BRIGHTNESS || p[0] > 100u) {
        return SKYLT_ACK_BAD_PAYLOAD;
    }
    s->brightness = p[0];
    if (s->hal.set_brightness) {
        s->hal.set_brightness(s->hal.ctx, s->brightness);
    }
    return SKYLT_ACK_OK;
}

static void fill_status(const struct skylt_sign *s, struct skylt_status *st)
{
    uint32_t t = now(s);
    st->showing_slot = s->shown_slot;
    st->showing_crc32 = s->shown_crc32;
    st->showing_priority = s->shown_priority;
    st->lease_left_ms = SKYLT_LEASE_LEFT_NONE;
    if (s->shown_priority != 0) {
        const struct skylt_lease *l = &s->leases[s->shown_priority];
        if (l->ttl_ms != SKYLT_TTL_FOREVER) {
            uint32_t elapsed = t - l->start_ms;
            /* The clock may have moved on since the tick that kept this lease alive. */
            st->lease_left_ms = elapsed >= l->ttl_ms ? 0u : l->ttl_ms - elapsed;
        }
    }
    st->brightness = s->brightness;
    st->photocell = s->hal.read_photocell ? s->hal.read_photocell(s->hal.ctx) : SKYLT_PHOTOCELL_NONE;
    st->boot_id = s->boot_id;
    st->uptime_ms = t - s->boot_ms;
    st->rx_errors = s->rx_errors;
    st->last_seq = last_seq(s);
}

static void send_status_report(struct skylt_sign *s, uint8_t query_slot)
{
    uint8_t p[SKYLT_LEN_STATUS_REPORT];
    uint8_t *w = p;
    struct skylt_status st;
    /* A slot outside the sign's range is simply reported as not valid. */
    int query_valid = query_slot < s->cfg.slot_count && s->slots[query_slot].state == SKYLT_SLOT_VALID;

    fill_status(s, &st);
    w = put_u8(w, st.showing_slot);
    w = put_u32(w, st.showing_crc32);
    w = put_u8(w, st.showing_priority);
    w = put_u32(w, st.lease_left_ms);
    w = put_u8(w, st.brightness);
    w = put_u16(w, st.photocell);
    w = put_u32(w, st.boot_id);
    w = put_u32(w, st.uptime_ms);
    w = put_u32(w, st.rx_errors);
    w = put_u8(w, query_slot);
    w = put_u8(w, query_valid ? 1u : 0u);
    (void)put_u32(w, query_valid ? s->slots[query_slot].crc32 : 0u);
    send_frame(s, SKYLT_MSG_STATUS_REPORT, last_seq(s), p, sizeof p);
}

/* ---- frames -------------------------------------------------------------------------------------- */

static void on_sequenced(struct skylt_sign *s, const struct skylt_frame *f)
{
    uint8_t code;
    const uint8_t *p = f->payload;
    size_t len = f->len;

    switch (f->type) {
    case SKYLT_MSG_SLOT_BEGIN:
        code = on_slot_begin(s, p, len);
        break;
    case SKYLT_MSG_SLOT_DATA:
        code = on_slot_data(s, p, len);
        break;
    case SKYLT_MSG_SLOT_COMMIT:
        code = on_slot_commit(s, p, len);
        break;
    case SKYLT_MSG_PLAY:
        code = on_play(s, p, len);
        refresh(s);
        if (code == SKYLT_ACK_OK && get_u32(p + 6) != 0 && !s->leases[p[5]].live) {
            /* The slot failed its CRC while being decoded for the panel (RAM corrupted after commit):
             * refresh() dropped it, so the PLAY did not take effect. */
            code = SKYLT_ACK_CRC_MISMATCH;
        }
        break;
    case SKYLT_MSG_BRIGHTNESS:
        code = on_brightness(s, p, len);
        break;
    case SKYLT_MSG_STATUS:
        if (len != SKYLT_LEN_STATUS) {
            code = SKYLT_ACK_BAD_PAYLOAD;
            break;
        }
        refresh(s);
        /* Like every in-order message, STATUS gets its ACK; the report follows with ack = the same seq. */
        send_ack(s, f->seq, SKYLT_ACK_OK);
        send_status_report(s, p[0]);
        return;
    case SKYLT_MSG_HEARTBEAT:
        code = len == SKYLT_LEN_HEARTBEAT ? SKYLT_ACK_OK : SKYLT_ACK_BAD_PAYLOAD;
        break;
    default:
        code = SKYLT_ACK_UNKNOWN_TYPE;
        break;
    }
    /* Panel first, then the ACK: an ACK(OK) to a PLAY means the frame is already up. */
    refresh(s);
    send_ack(s, f->seq, code);
}

static void abandon_uploads(struct skylt_sign *s)
{
    unsigned i;
    for (i = 0; i < s->cfg.slot_count; i++) {
        if (s->slots[i].state == SKYLT_SLOT_RECEIVING) {
            s->slots[i].state = SKYLT_SLOT_EMPTY;
        }
    }
}

static void on_frame(struct skylt_sign *s, uint8_t *buf, size_t n)
{
    struct skylt_frame f;
    uint8_t d;

    /* Lease expiry first, so BUSY and STATUS see the panel as it is at this instant. */
    skylt_sign_tick(s);
    if (skylt_frame_decode(buf, n, &f) != SKYLT_FRAME_OK) {
        s->rx_errors++;
        send_nak(s, SKYLT_NAK_CORRUPT);
        return;
    }
    if (f.type == SKYLT_MSG_HELLO) {
        /* Not sequenced; any payload is accepted because the controller learns our version from the reply. */
        abandon_uploads(s);
        s->expected = 1;
        send_hello_reply(s);
        return;
    }
    d = (uint8_t)(f.seq - s->expected);
    if (d == 0) {
        s->expected++;
        on_sequenced(s, &f);
    } else if (d >= 128u) {
        /* An old retransmission: its ACK was lost. Never process twice; re-acknowledge. */
        send_ack(s, last_seq(s), SKYLT_ACK_OK);
    } else {
        send_nak(s, SKYLT_NAK_GAP);
    }
}

void skylt_sign_rx(struct skylt_sign *s, const uint8_t *bytes, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        uint8_t b = bytes[i];
        if (b == 0x00) {
            if (s->rx_overflow) {
                /* An oversized frame is usually two frames whose delimiter was lost: report it. */
                skylt_sign_tick(s);
                s->rx_errors++;
                send_nak(s, SKYLT_NAK_CORRUPT);
            } else if (s->rx_len > 0) {
                on_frame(s, s->rx_buf, s->rx_len);
            }
            s->rx_len = 0;
            s->rx_overflow = 0;
        } else if (s->rx_overflow) {
            continue;
        } else if (s->rx_len >= SKYLT_MAX_ENCODED) {
            s->rx_overflow = 1;
        } else {
            s->rx_buf[s->rx_len++] = b;
        }
    }
}

void skylt_sign_link_reset(struct skylt_sign *s)
{
    s->rx_len = 0;
    s->rx_overflow = 0;
}

/* ---- lifecycle ----------------------------------------------------------------------------------- */

static void reset_volatile(struct skylt_sign *s)
{
    unsigned i;
    for (i = 1; i < SKYLT_MAX_SLOTS; i++) {
        s->slots[i].state = SKYLT_SLOT_EMPTY;
    }
    if (s->slots[0].state == SKYLT_SLOT_RECEIVING) {
        s->slots[0].state = SKYLT_SLOT_EMPTY;
    }
    memset(s->leases, 0, sizeof s->leases);
    s->expected = 1;
    s->rx_errors = 0;
    s->rx_len = 0;
    s->rx_overflow = 0;
    s->boot_ms = now(s);
    s->boot_id = s->hal.boot_id(s->hal.ctx);
    s->brightness = 100;
    if (s->hal.set_brightness) {
        s->hal.set_brightness(s->hal.ctx, s->brightness);
    }
    /* Whatever the panel showed before the power cycle, present afresh. */
    s->shown_known = 0;
    refresh(s);
}

enum skylt_init_result skylt_sign_init(struct skylt_sign *s, const struct skylt_config *cfg,
                                       const struct skylt_hal *hal)
{
    uint8_t formats;
    uint8_t f;

    if (!hal || !hal->link_write || !hal->present || !hal->now_ms || !hal->boot_id) {
        return SKYLT_INIT_BAD_HAL;
    }
    if (cfg->width < 1 || cfg->width > SKYLT_MAX_WIDTH || cfg->height < 1 || cfg->height > SKYLT_MAX_HEIGHT) {
        return SKYLT_INIT_BAD_SIZE;
    }
    if (cfg->native_format < SKYLT_FMT_RGB888 || cfg->native_format > SKYLT_FMT_MONO ||
        (cfg->formats & ~SKYLT_FORMATS_ALL) != 0) {
        return SKYLT_INIT_BAD_FORMAT;
    }
    formats = (uint8_t)(cfg->formats | SKYLT_FORMAT_BIT(cfg->native_format));
    for (f = SKYLT_FMT_RGB888; f <= SKYLT_FMT_MONO; f++) {
        if ((formats & SKYLT_FORMAT_BIT(f)) && skylt_fb_size(f, cfg->width, cfg->height) > SKYLT_FB_MAX_BYTES) {
            return SKYLT_INIT_BAD_FORMAT;
        }
    }
    if (cfg->slot_count < 1 || cfg->slot_count > SKYLT_MAX_SLOTS || cfg->slot_bytes < 1 ||
        (unsigned long)cfg->slot_count * (unsigned long)cfg->slot_bytes > SKYLT_SLOT_POOL_BYTES) {
        return SKYLT_INIT_BAD_SLOTS;
    }

    /* Only the small state is cleared: the pool and framebuffers are megabytes, and no byte of them is read
     * before it is written (slots need a commit, the back buffer is filled before every present). */
    memset(s->slots, 0, sizeof s->slots);
    s->cfg = *cfg;
    s->cfg.formats = formats;
    s->hal = *hal;
    s->front = 0;
    s->shown_known = 0;
    s->shown_slot = SKYLT_NO_SLOT;
    s->shown_crc32 = 0;
    s->shown_priority = 0;
    s->shown_format = cfg->native_format;
    s->shown_bytes = 0;
    reset_volatile(s);
    return SKYLT_INIT_OK;
}

void skylt_sign_reboot(struct skylt_sign *s)
{
    reset_volatile(s);
}

void skylt_sign_announce(struct skylt_sign *s)
{
    send_hello_reply(s);
}

void skylt_sign_tick(struct skylt_sign *s)
{
    expire_leases(s);
    refresh(s);
}

uint32_t skylt_sign_next_deadline(struct skylt_sign *s)
{
    uint32_t t = now(s);
    uint32_t best = SKYLT_NO_DEADLINE;
    unsigned p;
    for (p = SKYLT_PRIORITY_MIN; p <= SKYLT_PRIORITY_MAX; p++) {
        const struct skylt_lease *l = &s->leases[p];
        if (l->live && l->ttl_ms != SKYLT_TTL_FOREVER) {
            uint32_t elapsed = t - l->start_ms;
            uint32_t left = elapsed >= l->ttl_ms ? 0 : l->ttl_ms - elapsed;
            if (left < best) {
                best = left;
            }
        }
    }
    return best;
}

uint8_t skylt_sign_restore_slot(struct skylt_sign *s, uint8_t slot, uint8_t format, uint8_t encoding,
                                const uint8_t *encoded, uint32_t encoded_len, uint32_t crc32)
{
    uint8_t code;
    if (slot >= s->cfg.slot_count) {
        return SKYLT_ACK_NO_SUCH_SLOT;
    }
    if (!format_accepted(s, format) || encoding > SKYLT_ENC_PRLE) {
        return SKYLT_ACK_BAD_FORMAT;
    }
    if (encoded == NULL || encoded_len == 0) {
        return SKYLT_ACK_BAD_PAYLOAD;
    }
    if (encoded_len > s->cfg.slot_bytes) {
        return SKYLT_ACK_TOO_BIG;
    }
    forget_slot(s, slot);
    refresh(s);
    memmove(slot_data(s, slot), encoded, encoded_len);
    code = commit(s, slot, format, encoding, encoded_len, crc32);
    refresh(s);
    return code;
}

void skylt_sign_status(struct skylt_sign *s, struct skylt_status *out)
{
    skylt_sign_tick(s);
    fill_status(s, out);
}

void skylt_sign_peek_status(const struct skylt_sign *s, struct skylt_status *out)
{
    fill_status(s, out);
}

int skylt_sign_slot_info(const struct skylt_sign *s, uint8_t slot, struct skylt_slot_info *out)
{
    if (slot >= s->cfg.slot_count) {
        return -1;
    }
    out->valid = s->slots[slot].state == SKYLT_SLOT_VALID;
    out->state = s->slots[slot].state;
    out->format = s->slots[slot].format;
    out->encoding = s->slots[slot].encoding;
    out->encoded_len = s->slots[slot].encoded_len;
    out->crc32 = s->slots[slot].crc32;
    out->encoded = s->pool + (size_t)slot * s->cfg.slot_bytes;
    return 0;
}

const uint8_t *skylt_sign_visible(const struct skylt_sign *s, size_t *fb_bytes, uint8_t *format)
{
    *fb_bytes = s->shown_bytes;
    *format = s->shown_format;
    return s->fb[s->front];
}
