/*
 * CRC-16/CCITT-FALSE guards every bridge frame; CRC-32/ISO-HDLC (zlib's) identifies a slot's decoded
 * framebuffer on both sides of the link (PROTOCOL.md sections 1 and 4).
 */
#ifndef SKYLT_CRC_H
#define SKYLT_CRC_H

#include <stddef.h>
#include <stdint.h>

/* poly 0x1021, init 0xFFFF, no reflection, no final xor: "123456789" -> 0x29B1. */
#define SKYLT_CRC16_INIT 0xFFFFu
uint16_t skylt_crc16_update(uint16_t crc, const uint8_t *data, size_t n);
uint16_t skylt_crc16(const uint8_t *data, size_t n);

/*
 * Incremental CRC-32: start with SKYLT_CRC32_INIT, feed chunks with skylt_crc32_update, finish with
 * skylt_crc32_final. skylt_crc32 does all three ("123456789" -> 0xCBF43926).
 */
#define SKYLT_CRC32_INIT 0xFFFFFFFFu
uint32_t skylt_crc32_update(uint32_t state, const uint8_t *data, size_t n);
uint32_t skylt_crc32_final(uint32_t state);
uint32_t skylt_crc32(const uint8_t *data, size_t n);

#endif
