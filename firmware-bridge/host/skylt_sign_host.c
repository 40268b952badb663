/*
 * skylt-sign: a sign emulator for the Skylt bridge protocol. It runs the same receiver core a real sign
 * runs (../src), over a tty (e.g. one end of a socat pty pair) or a loopback TCP port, and shows its panel
 * as a PPM file. Single-threaded: one poll() loop; signals arrive through a self-pipe.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "../src/prle.h"
#include "../src/skylt_sign.h"
#include "panel_dump.h"

#define TX_QUEUE_BYTES (256u * 1024u)
#define TTY_RETRY_MS 500

struct options {
    const char *tty;
    long tcp_port;       /* -1: not given */
    long baud;
    struct skylt_config cfg;
    int slot_bytes_given;
    int boot_id_given;
    uint32_t boot_id;
    long photocell;      /* -1: no photocell */
    const char *dump;
    const char *status;
};

/* The core holds ~4 MB of fixed buffers at the default capacity: static, never on the stack. */
static struct skylt_sign sign;
static uint8_t rgb_scratch[(size_t)SKYLT_MAX_WIDTH * SKYLT_MAX_HEIGHT * 3u];

static struct options opt;
static int signal_pipe[2] = {-1, -1};
static int listen_fd = -1;
static int link_fd = -1;        /* the tty, or the connected TCP client */
static long tty_retry_at = -1;  /* monotonic ms when to try reopening the tty, -1: not pending */
static uint32_t next_boot_id;

static uint8_t tx_queue[TX_QUEUE_BYTES];
static size_t tx_len;
static unsigned long tx_dropped;

static int status_written;
static struct skylt_status last_status;

static void logf_(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("skylt-sign: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static long monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* ---- HAL ----------------------------------------------------------------------------------------- */

static void hal_link_write(void *ctx, const uint8_t *bytes, size_t n)
{
    (void)ctx;
    if (link_fd < 0) {
        return; /* nobody listening: a real UART would shout into the void too */
    }
    if (n > sizeof tx_queue - tx_len) {
        /* The controller is not reading. Dropping whole frames keeps the stream parseable; its
         * retransmission timer recovers what is lost. */
        tx_dropped++;
        return;
    }
    memcpy(tx_queue + tx_len, bytes, n);
    tx_len += n;
}

static void write_dump(void)
{
    size_t bytes;
    uint8_t format;
    const uint8_t *fb;
    if (!opt.dump) {
        return;
    }
    fb = skylt_sign_visible(&sign, &bytes, &format);
    if (bytes == 0) {
        return;
    }
    if (skylt_write_ppm(opt.dump, format, opt.cfg.width, opt.cfg.height, fb, rgb_scratch) != 0) {
        logf_("cannot write dump %s: %s", opt.dump, strerror(errno));
    }
}

static void update_status_file(int force, int from_core);

static void hal_present(void *ctx, const uint8_t *fb, size_t fb_bytes, uint8_t format, uint16_t width,
                        uint16_t height)
{
    (void)ctx;
    (void)fb_bytes;
    /* Status first, then the panel: whoever waits for the dump to change finds the status already
     * describing it. Called from inside the core, so the status is peeked, not ticked. */
    update_status_file(0, 1);
    if (opt.dump && skylt_write_ppm(opt.dump, format, width, height, fb, rgb_scratch) != 0) {
        logf_("cannot write dump %s: %s", opt.dump, strerror(errno));
    }
}

static uint16_t hal_photocell(void *ctx)
{
    (void)ctx;
    return (uint16_t)opt.photocell;
}

static uint32_t hal_now(void *ctx)
{
    (void)ctx;
    return (uint32_t)monotonic_ms();
}

static uint32_t hal_boot_id(void *ctx)
{
    uint32_t id = 0;
    (void)ctx;
    if (opt.boot_id_given) {
        /* Deterministic for tests: N at start, N+1 after the first reboot, ... */
        return next_boot_id++;
    }
    {
        int fd = open("/dev/urandom", O_RDONLY);
        if (fd >= 0) {
            if (read(fd, &id, sizeof id) != (ssize_t)sizeof id) {
                id = 0;
            }
            close(fd);
        }
    }
    if (id == 0) {
        id = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16) ^ (uint32_t)monotonic_ms();
    }
    return id;
}

/* ---- status file --------------------------------------------------------------------------------- */

static void update_status_file(int force, int from_core)
{
    struct skylt_status st;
    char line[256];
    size_t n;

    if (!opt.status) {
        return;
    }
    if (from_core) {
        skylt_sign_peek_status(&sign, &st);
    } else {
        skylt_sign_status(&sign, &st);
    }
    if (!force && status_written && st.showing_slot == last_status.showing_slot &&
        st.showing_crc32 == last_status.showing_crc32 && st.showing_priority == last_status.showing_priority &&
        st.brightness == last_status.brightness && st.boot_id == last_status.boot_id &&
        st.rx_errors == last_status.rx_errors) {
        return;
    }
    n = skylt_status_json(&st, line, sizeof line);
    if (skylt_write_atomic(opt.status, line, n) != 0) {
        logf_("cannot write status %s: %s", opt.status, strerror(errno));
        return;
    }
    last_status = st;
    status_written = 1;
}

/* ---- link ---------------------------------------------------------------------------------------- */

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static speed_t baud_constant(long baud)
{
    switch (baud) {
    case 9600:
        return B9600;
    case 19200:
        return B19200;
    case 38400:
        return B38400;
    case 57600:
        return B57600;
    case 115200:
        return B115200;
    case 230400:
        return B230400;
    default:
        return B0;
    }
}

static int open_tty(void)
{
    struct termios t;
    int fd = open(opt.tty, O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        return -1;
    }
    if (tcgetattr(fd, &t) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    /* Raw 8N1: no echo (the sign would otherwise hear its own replies), no line discipline, no CR/LF
     * translation, no flow control characters: every byte of a COBS stream is data. */
    t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXOFF | IXANY);
    t.c_oflag &= ~(tcflag_t)OPOST;
    t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | CSTOPB);
    t.c_cflag |= CS8 | CREAD | CLOCAL;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    cfsetispeed(&t, baud_constant(opt.baud));
    cfsetospeed(&t, baud_constant(opt.baud));
    if (tcsetattr(fd, TCSANOW, &t) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

static void link_up(int fd)
{
    link_fd = fd;
    tx_len = 0;
    skylt_sign_link_reset(&sign);
    /* A controller joining mid-life learns boot_id and capabilities without asking. */
    skylt_sign_announce(&sign);
}

static void link_down(const char *why)
{
    if (link_fd >= 0) {
        close(link_fd);
    }
    link_fd = -1;
    tx_len = 0;
    skylt_sign_link_reset(&sign);
    if (opt.tty) {
        logf_("tty %s: %s; reopening", opt.tty, why);
        tty_retry_at = monotonic_ms() + TTY_RETRY_MS;
    } else {
        logf_("client disconnected (%s)", why);
    }
}

static void flush_tx(void)
{
    while (link_fd >= 0 && tx_len > 0) {
        ssize_t w = write(link_fd, tx_queue, tx_len);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                return;
            }
            link_down(strerror(errno));
            return;
        }
        memmove(tx_queue, tx_queue + w, tx_len - (size_t)w);
        tx_len -= (size_t)w;
    }
}

static void read_link(void)
{
    uint8_t buf[4096];
    int reads;
    /* Bounded per wake-up: a controller that floods the link must not starve the reply queue or the
     * lease timer. Whatever is left is read on the next turn of the loop. */
    for (reads = 0; reads < 16; reads++) {
        ssize_t r = read(link_fd, buf, sizeof buf);
        if (r > 0) {
            skylt_sign_rx(&sign, buf, (size_t)r);
            if (link_fd < 0) {
                return;
            }
            continue;
        }
        if (r == 0) {
            link_down("end of file");
            return;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            link_down(strerror(errno));
        }
        return;
    }
}

static void accept_client(void)
{
    struct sockaddr_in peer;
    socklen_t len = sizeof peer;
    int one = 1;
    int fd = accept(listen_fd, (struct sockaddr *)&peer, &len);
    if (fd < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED) {
            logf_("accept: %s", strerror(errno));
        }
        return;
    }
    set_nonblock(fd);
    /* Small frames (ACKs, a crisis PLAY) must not wait for Nagle. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    logf_("client connected from %s:%u", inet_ntoa(peer.sin_addr), (unsigned)ntohs(peer.sin_port));
    link_up(fd);
}

static int open_listener(long port, unsigned *bound_port)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 4) != 0 || set_nonblock(fd) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    *bound_port = ntohs(a.sin_port);
    return fd;
}

/* ---- signals ------------------------------------------------------------------------------------- */

static void on_signal(int signo)
{
    int saved = errno;
    unsigned char b = (unsigned char)signo;
    /* The pipe is non-blocking: if it is full, the main loop has plenty of wake-ups pending anyway. */
    if (write(signal_pipe[1], &b, 1) < 0) {
        /* nothing to do */
    }
    errno = saved;
}

static int install_signals(void)
{
    struct sigaction sa;
    int sigs[] = {SIGHUP, SIGUSR1, SIGTERM, SIGINT};
    size_t i;

    if (pipe(signal_pipe) != 0 || set_nonblock(signal_pipe[0]) != 0 || set_nonblock(signal_pipe[1]) != 0) {
        return -1;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL); /* a vanished TCP client is an EPIPE, not a death */
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        if (sigaction(sigs[i], &sa, NULL) != 0) {
            return -1;
        }
    }
    return 0;
}

/* Returns 1 when the program should exit. */
static int handle_signals(void)
{
    unsigned char b;
    int quit = 0;
    while (read(signal_pipe[0], &b, 1) == 1) {
        switch (b) {
        case SIGHUP: {
            struct skylt_status st;
            skylt_sign_reboot(&sign);
            skylt_sign_status(&sign, &st);
            logf_("reboot: boot_id=%lu, slot 0 %s", (unsigned long)st.boot_id,
                  st.showing_slot == 0 ? "kept and shown" : "empty, panel black");
            skylt_sign_announce(&sign);
            break;
        }
        case SIGUSR1:
            write_dump();
            update_status_file(1, 0);
            break;
        default:
            quit = 1;
            break;
        }
    }
    return quit;
}

/* ---- options ------------------------------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: skylt-sign (--tty PATH | --tcp PORT) [options]\n"
            "  --tty PATH          open an existing tty (e.g. a socat pty) in raw mode\n"
            "  --tcp PORT          listen on 127.0.0.1:PORT (0: any free port, printed in the ready line)\n"
            "  --baud N            tty speed, default 115200\n"
            "  --width N           panel width, default 384 (max %u)\n"
            "  --height N          panel height, default 192 (max %u)\n"
            "  --format F          rgb888 | rgb565 | gray4 | mono, default rgb888\n"
            "  --formats LIST      comma-separated formats accepted in SLOT_BEGIN, default: --format only\n"
            "  --slots N           slot count, default 16 (max %u)\n"
            "  --slot-bytes N      bytes per slot, default one raw framebuffer\n"
            "  --boot-id N         boot id of the first boot (then N+1, N+2 ... per reboot); default random\n"
            "  --photocell N       report a photocell with this fixed reading (0..65534)\n"
            "  --dump PATH         write the visible panel as a P6 PPM on every change and on SIGUSR1\n"
            "  --status PATH       write a one-line JSON status on every change\n"
            "signals: SIGHUP reboot (slot 0 kept), SIGUSR1 dump now, SIGTERM/SIGINT exit\n",
            (unsigned)SKYLT_MAX_WIDTH, (unsigned)SKYLT_MAX_HEIGHT, (unsigned)SKYLT_MAX_SLOTS);
}

static int parse_format(const char *s)
{
    if (strcmp(s, "rgb888") == 0) {
        return SKYLT_FMT_RGB888;
    }
    if (strcmp(s, "rgb565") == 0) {
        return SKYLT_FMT_RGB565;
    }
    if (strcmp(s, "gray4") == 0) {
        return SKYLT_FMT_GRAY4;
    }
    if (strcmp(s, "mono") == 0) {
        return SKYLT_FMT_MONO;
    }
    return 0;
}

static const char *format_name(uint8_t f)
{
    static const char *names[] = {"?", "rgb888", "rgb565", "gray4", "mono"};
    return f <= SKYLT_FMT_MONO ? names[f] : "?";
}

static int parse_number(const char *name, const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
    char *end;
    unsigned long v;
    errno = 0;
    if (s[0] == '-' || s[0] == '\0') {
        goto bad;
    }
    v = strtoul(s, &end, 0);
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        goto bad;
    }
    *out = v;
    return 0;
bad:
    fprintf(stderr, "skylt-sign: %s wants a number in %lu..%lu, got '%s'\n", name, min, max, s);
    return -1;
}

static int parse_options(int argc, char **argv)
{
    int i;
    const char *formats = NULL;
    unsigned long v;

    memset(&opt, 0, sizeof opt);
    opt.tcp_port = -1;
    opt.baud = 115200;
    opt.photocell = -1;
    opt.cfg.width = 384;
    opt.cfg.height = 192;
    opt.cfg.native_format = SKYLT_FMT_RGB888;
    opt.cfg.slot_count = SKYLT_MAX_SLOTS < 16u ? (uint8_t)SKYLT_MAX_SLOTS : 16u;

    for (i = 1; i < argc; i++) {
        const char *name = argv[i];
        const char *val = NULL;
        char *eq;
        char namebuf[64];

        if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
            usage(stdout);
            exit(0);
        }
        if (strncmp(name, "--", 2) != 0) {
            fprintf(stderr, "skylt-sign: unexpected argument '%s'\n", name);
            return -1;
        }
        eq = strchr(name, '=');
        if (eq) {
            size_t n = (size_t)(eq - name);
            if (n >= sizeof namebuf) {
                fprintf(stderr, "skylt-sign: unknown option '%s'\n", name);
                return -1;
            }
            memcpy(namebuf, name, n);
            namebuf[n] = '\0';
            name = namebuf;
            val = eq + 1;
        } else if (i + 1 < argc) {
            val = argv[++i];
        } else {
            fprintf(stderr, "skylt-sign: %s needs a value\n", name);
            return -1;
        }

        if (strcmp(name, "--tty") == 0) {
            opt.tty = val;
        } else if (strcmp(name, "--tcp") == 0) {
            if (parse_number(name, val, 0, 65535, &v) != 0) {
                return -1;
            }
            opt.tcp_port = (long)v;
        } else if (strcmp(name, "--baud") == 0) {
            if (parse_number(name, val, 1, 4000000, &v) != 0) {
                return -1;
            }
            if (baud_constant((long)v) == B0) {
                fprintf(stderr, "skylt-sign: --baud must be 9600, 19200, 38400, 57600, 115200 or 230400\n");
                return -1;
            }
            opt.baud = (long)v;
        } else if (strcmp(name, "--width") == 0) {
            if (parse_number(name, val, 1, SKYLT_MAX_WIDTH, &v) != 0) {
                return -1;
            }
            opt.cfg.width = (uint16_t)v;
        } else if (strcmp(name, "--height") == 0) {
            if (parse_number(name, val, 1, SKYLT_MAX_HEIGHT, &v) != 0) {
                return -1;
            }
            opt.cfg.height = (uint16_t)v;
        } else if (strcmp(name, "--format") == 0) {
            int f = parse_format(val);
            if (!f) {
                fprintf(stderr, "skylt-sign: --format must be rgb888, rgb565, gray4 or mono, got '%s'\n", val);
                return -1;
            }
            opt.cfg.native_format = (uint8_t)f;
        } else if (strcmp(name, "--formats") == 0) {
            formats = val;
        } else if (strcmp(name, "--slots") == 0) {
            if (parse_number(name, val, 1, SKYLT_MAX_SLOTS, &v) != 0) {
                return -1;
            }
            opt.cfg.slot_count = (uint8_t)v;
        } else if (strcmp(name, "--slot-bytes") == 0) {
            if (parse_number(name, val, 1, 0xFFFFFFFFul, &v) != 0) {
                return -1;
            }
            opt.cfg.slot_bytes = (uint32_t)v;
            opt.slot_bytes_given = 1;
        } else if (strcmp(name, "--boot-id") == 0) {
            if (parse_number(name, val, 0, 0xFFFFFFFFul, &v) != 0) {
                return -1;
            }
            opt.boot_id = (uint32_t)v;
            opt.boot_id_given = 1;
        } else if (strcmp(name, "--photocell") == 0) {
            if (parse_number(name, val, 0, 0xFFFEul, &v) != 0) {
                return -1;
            }
            opt.photocell = (long)v;
        } else if (strcmp(name, "--dump") == 0) {
            opt.dump = val;
        } else if (strcmp(name, "--status") == 0) {
            opt.status = val;
        } else {
            fprintf(stderr, "skylt-sign: unknown option '%s' (see --help)\n", name);
            return -1;
        }
    }

    if ((opt.tty != NULL) == (opt.tcp_port >= 0)) {
        fprintf(stderr, "skylt-sign: give exactly one of --tty PATH or --tcp PORT\n");
        return -1;
    }
    opt.cfg.formats = (uint8_t)SKYLT_FORMAT_BIT(opt.cfg.native_format);
    if (formats) {
        char list[128];
        char *tok;
        if (strlen(formats) >= sizeof list) {
            fprintf(stderr, "skylt-sign: --formats list too long\n");
            return -1;
        }
        strcpy(list, formats);
        for (tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
            int f = parse_format(tok);
            if (!f) {
                fprintf(stderr, "skylt-sign: unknown format '%s' in --formats\n", tok);
                return -1;
            }
            opt.cfg.formats |= (uint8_t)SKYLT_FORMAT_BIT(f);
        }
    }
    if (!opt.slot_bytes_given) {
        /* One raw framebuffer per slot: the controller can always fall back to raw. */
        opt.cfg.slot_bytes = (uint32_t)skylt_fb_size(opt.cfg.native_format, opt.cfg.width, opt.cfg.height);
    }
    if ((unsigned long)opt.cfg.slot_count * opt.cfg.slot_bytes > SKYLT_SLOT_POOL_BYTES) {
        fprintf(stderr, "skylt-sign: %u slots x %lu bytes exceed the slot pool of %lu bytes (SKYLT_SLOT_POOL_BYTES)\n",
                (unsigned)opt.cfg.slot_count, (unsigned long)opt.cfg.slot_bytes,
                (unsigned long)SKYLT_SLOT_POOL_BYTES);
        return -1;
    }
    next_boot_id = opt.boot_id;
    return 0;
}

/* ---- main loop ----------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    struct skylt_hal hal;
    enum skylt_init_result ir;
    unsigned bound_port = 0;
    struct skylt_status st;

    if (parse_options(argc, argv) != 0) {
        fprintf(stderr, "skylt-sign: see skylt-sign --help\n");
        return 2;
    }
    if (install_signals() != 0) {
        logf_("cannot install signal handlers: %s", strerror(errno));
        return 1;
    }

    memset(&hal, 0, sizeof hal);
    hal.link_write = hal_link_write;
    hal.present = hal_present;
    hal.read_photocell = opt.photocell >= 0 ? hal_photocell : NULL;
    hal.now_ms = hal_now;
    hal.boot_id = hal_boot_id;
    ir = skylt_sign_init(&sign, &opt.cfg, &hal);
    if (ir != SKYLT_INIT_OK) {
        logf_("bad panel configuration: %s", skylt_init_result_name(ir));
        return 2;
    }

    if (opt.tty) {
        int fd = open_tty();
        if (fd < 0) {
            logf_("cannot open tty %s: %s", opt.tty, errno == ENOTTY ? "not a terminal" : strerror(errno));
            return 1;
        }
        link_up(fd);
    } else {
        listen_fd = open_listener(opt.tcp_port, &bound_port);
        if (listen_fd < 0) {
            logf_("cannot listen on 127.0.0.1:%ld: %s", opt.tcp_port, strerror(errno));
            return 1;
        }
    }
    update_status_file(1, 0);
    skylt_sign_status(&sign, &st);
    if (opt.tty) {
        fprintf(stderr, "skylt-sign ready tty %s", opt.tty);
    } else {
        fprintf(stderr, "skylt-sign ready tcp 127.0.0.1:%u", bound_port);
    }
    fprintf(stderr, " %ux%u %s slots=%u slot_bytes=%lu boot_id=%lu pid=%ld\n", (unsigned)opt.cfg.width,
            (unsigned)opt.cfg.height, format_name(opt.cfg.native_format), (unsigned)opt.cfg.slot_count,
            (unsigned long)opt.cfg.slot_bytes, (unsigned long)st.boot_id, (long)getpid());
    fflush(stderr);

    for (;;) {
        struct pollfd pfd[3];
        nfds_t n = 0;
        int link_index = -1, listen_index = -1;
        uint32_t deadline;
        int timeout;
        long t;

        flush_tx();
        pfd[n].fd = signal_pipe[0];
        pfd[n].events = POLLIN;
        n++;
        if (link_fd >= 0) {
            link_index = (int)n;
            pfd[n].fd = link_fd;
            pfd[n].events = (short)(POLLIN | (tx_len > 0 ? POLLOUT : 0));
            n++;
        } else if (listen_fd >= 0) {
            /* One controller at a time: further connections wait in the backlog until this one ends. */
            listen_index = (int)n;
            pfd[n].fd = listen_fd;
            pfd[n].events = POLLIN;
            n++;
        }

        /* Lease expiry runs on this timeout, not only when bytes arrive. */
        deadline = skylt_sign_next_deadline(&sign);
        timeout = deadline == SKYLT_NO_DEADLINE || deadline > 60000u ? 60000 : (int)deadline;
        if (tty_retry_at >= 0) {
            long wait = tty_retry_at - monotonic_ms();
            if (wait < 0) {
                wait = 0;
            }
            if (wait < timeout) {
                timeout = (int)wait;
            }
        }

        if (poll(pfd, n, timeout) < 0 && errno != EINTR) {
            logf_("poll: %s", strerror(errno));
            return 1;
        }
        if (pfd[0].revents & POLLIN) {
            if (handle_signals()) {
                break;
            }
        }
        if (link_index >= 0 && link_fd >= 0) {
            short re = pfd[link_index].revents;
            if (re & (POLLIN | POLLERR)) {
                read_link();
            } else if (re & POLLHUP) {
                link_down("hang-up");
            }
            /* POLLOUT needs nothing here: replies are flushed at the top of the loop, after the dump and
             * status files are written, so a controller that sees an ACK finds the files already updated. */
        }
        if (listen_index >= 0 && (pfd[listen_index].revents & POLLIN)) {
            accept_client();
        }
        t = monotonic_ms();
        if (opt.tty && link_fd < 0 && tty_retry_at >= 0 && t >= tty_retry_at) {
            int fd = open_tty();
            if (fd >= 0) {
                tty_retry_at = -1;
                logf_("tty %s reopened", opt.tty);
                link_up(fd);
            } else {
                tty_retry_at = t + TTY_RETRY_MS;
            }
        }
        skylt_sign_tick(&sign);
        update_status_file(0, 0);
    }

    flush_tx();
    if (link_fd >= 0) {
        close(link_fd);
    }
    if (listen_fd >= 0) {
        close(listen_fd);
    }
    if (tx_dropped > 0) {
        logf_("%lu reply frames dropped because the controller did not read", tx_dropped);
    }
    logf_("exiting");
    return 0;
}
