#define _POSIX_C_SOURCE 200809L

#include "panel_dump.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../src/prle.h"

void skylt_fb_to_rgb(uint8_t format, uint16_t width, uint16_t height, const uint8_t *fb, uint8_t *rgb)
{
    const size_t row_bytes = skylt_fb_row_bytes(format, width);
    uint16_t x, y;

    for (y = 0; y < height; y++) {
        const uint8_t *row = fb + (size_t)y * row_bytes;
        for (x = 0; x < width; x++) {
            uint8_t *o = rgb + ((size_t)y * width + x) * 3u;
            switch (format) {
            case SKYLT_FMT_RGB888:
                o[0] = row[x * 3u];
                o[1] = row[x * 3u + 1u];
                o[2] = row[x * 3u + 2u];
                break;
            case SKYLT_FMT_RGB565: {
                const unsigned v = (unsigned)row[x * 2u] | ((unsigned)row[x * 2u + 1u] << 8);
                const unsigned r = v >> 11, g = (v >> 5) & 0x3Fu, b = v & 0x1Fu;
                /* Bit replication maps 31 and 63 to 255, so white stays white. */
                o[0] = (uint8_t)((r << 3) | (r >> 2));
                o[1] = (uint8_t)((g << 2) | (g >> 4));
                o[2] = (uint8_t)((b << 3) | (b >> 2));
                break;
            }
            case SKYLT_FMT_GRAY4: {
                const unsigned level = (x & 1u) ? (row[x / 2u] & 0x0Fu) : (row[x / 2u] >> 4);
                /* A gray4 sign is a monochrome amber sign with 16 intensity levels. */
                o[0] = (uint8_t)(SKYLT_LIT_R * level / 15u);
                o[1] = (uint8_t)(SKYLT_LIT_G * level / 15u);
                o[2] = (uint8_t)(SKYLT_LIT_B * level / 15u);
                break;
            }
            default: {
                const int lit = (row[x / 8u] >> (7u - (x & 7u))) & 1u;
                o[0] = lit ? SKYLT_LIT_R : 0u;
                o[1] = lit ? SKYLT_LIT_G : 0u;
                o[2] = lit ? SKYLT_LIT_B : 0u;
                break;
            }
            }
        }
    }
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int write_atomic2(const char *path, const void *head, size_t head_size, const void *data, size_t size)
{
    char tmp[4096];
    int fd;
    int saved;

    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        return -1;
    }
    if (write_all(fd, head, head_size) != 0 || write_all(fd, data, size) != 0) {
        saved = errno;
        close(fd);
        unlink(tmp);
        errno = saved;
        return -1;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        saved = errno;
        unlink(tmp);
        errno = saved;
        return -1;
    }
    return 0;
}

int skylt_write_atomic(const char *path, const void *data, size_t size)
{
    return write_atomic2(path, "", 0, data, size);
}

int skylt_write_ppm(const char *path, uint8_t format, uint16_t width, uint16_t height, const uint8_t *fb,
                    uint8_t *rgb_scratch)
{
    char head[64];
    int n = snprintf(head, sizeof head, "P6\n%u %u\n255\n", (unsigned)width, (unsigned)height);
    skylt_fb_to_rgb(format, width, height, fb, rgb_scratch);
    return write_atomic2(path, head, (size_t)n, rgb_scratch, (size_t)width * height * 3u);
}

size_t skylt_status_json(const struct skylt_status *st, char *buf, size_t cap)
{
    int n = snprintf(buf, cap,
                     "{\"showing_slot\":%u,\"showing_crc32\":%lu,\"showing_priority\":%u,\"brightness\":%u,"
                     "\"boot_id\":%lu,\"rx_errors\":%lu}\n",
                     (unsigned)st->showing_slot, (unsigned long)st->showing_crc32, (unsigned)st->showing_priority,
                     (unsigned)st->brightness, (unsigned long)st->boot_id, (unsigned long)st->rx_errors);
    if (n < 0) {
        return 0;
    }
    return (size_t)n < cap ? (size_t)n : cap - 1u;
}
