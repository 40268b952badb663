/*
 * What the emulator shows the outside world: the visible framebuffer as a binary PPM and a one-line JSON
 * status, both replaced atomically (write a temporary file, then rename) so a reader never sees half a file.
 */
#ifndef SKYLT_PANEL_DUMP_H
#define SKYLT_PANEL_DUMP_H

#include <stddef.h>
#include <stdint.h>

#include "../src/skylt_sign.h"

/* Colour of a lit mono pixel and of gray4 level 15: the amber of the Vara signs. */
#define SKYLT_LIT_R 255u
#define SKYLT_LIT_G 176u
#define SKYLT_LIT_B 0u

/* Converts one framebuffer to RGB888 (3 * width * height bytes in rgb). */
void skylt_fb_to_rgb(uint8_t format, uint16_t width, uint16_t height, const uint8_t *fb, uint8_t *rgb);

/* Writes `size` bytes to path atomically; returns 0 or -1 with errno set. */
int skylt_write_atomic(const char *path, const void *data, size_t size);

/* Writes the framebuffer as a P6 PPM; rgb_scratch holds 3 * width * height bytes. Returns 0 or -1. */
int skylt_write_ppm(const char *path, uint8_t format, uint16_t width, uint16_t height, const uint8_t *fb,
                    uint8_t *rgb_scratch);

/* Formats the status line ({"showing_slot":..}\n) into buf; returns its length. */
size_t skylt_status_json(const struct skylt_status *st, char *buf, size_t cap);

#endif
