/*
 * The fuzz target without libFuzzer: for gcc's ASan/UBSan build, where clang may be missing. It replays
 * the seed corpus, then feeds random and mutated inputs for a bounded time, so the invariant checks in
 * fuzz_sign.c run on every machine. Usage: sanitize-fuzz SECONDS [CORPUS_DIR]
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz_sign.h"

#define MAX_INPUT 65536u
#define MAX_SEEDS 256u

static uint8_t *seeds[MAX_SEEDS];
static size_t seed_len[MAX_SEEDS];
static unsigned n_seeds;
static uint8_t input[MAX_INPUT];
static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t next_random(void)
{
    /* xorshift64*: fast, and the seed is printed so a failing run can be repeated */
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (uint32_t)((rng * 2685821657736338717ull) >> 32);
}

static void load_seeds(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d) {
        return;
    }
    while ((e = readdir(d)) != NULL && n_seeds < MAX_SEEDS) {
        char path[4096];
        FILE *f;
        long size;
        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        f = fopen(path, "rb");
        if (!f) {
            continue;
        }
        if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 && (size_t)size <= MAX_INPUT) {
            rewind(f);
            seeds[n_seeds] = malloc((size_t)size);
            if (seeds[n_seeds] && fread(seeds[n_seeds], 1, (size_t)size, f) == (size_t)size) {
                seed_len[n_seeds++] = (size_t)size;
            }
        }
        fclose(f);
    }
    closedir(d);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 20.0;
    double start = now_s();
    unsigned long runs = 0, i;
    uint64_t seed = (uint64_t)time(NULL);

    if (getenv("SANITIZE_SEED")) {
        seed = strtoull(getenv("SANITIZE_SEED"), NULL, 0);
    }
    rng ^= seed;
    if (argc > 2) {
        load_seeds(argv[2]);
    }
    for (i = 0; i < n_seeds; i++) {
        LLVMFuzzerTestOneInput(seeds[i], seed_len[i]);
        runs++;
    }
    while (now_s() - start < seconds) {
        size_t n;
        unsigned k;
        for (k = 0; k < 64; k++) {
            uint32_t how = next_random() % 4;
            if (how == 0 && n_seeds > 0) {
                /* a seed with a few bytes changed, inserted or cut */
                unsigned s = next_random() % n_seeds;
                unsigned edits = 1 + next_random() % 8, e;
                n = seed_len[s];
                memcpy(input, seeds[s], n);
                for (e = 0; e < edits && n > 0; e++) {
                    size_t at = next_random() % n;
                    switch (next_random() % 3) {
                    case 0:
                        input[at] ^= (uint8_t)(1u << (next_random() % 8));
                        break;
                    case 1:
                        input[at] = (uint8_t)next_random();
                        break;
                    default:
                        n = at + 1 + (n - at - 1) / 2;
                        break;
                    }
                }
            } else {
                /* fresh random programs, mostly short, some long */
                n = 1 + next_random() % (how == 1 ? 4096u : 512u);
                for (i = 0; i < n; i++) {
                    input[i] = (uint8_t)next_random();
                }
            }
            LLVMFuzzerTestOneInput(input, n);
            runs++;
        }
    }
    {
        struct fuzz_stats st;
        fuzz_sign_stats(&st);
        printf("sanitize-run: %lu inputs (%u seeds) in %.1f s, seed %llu: %lu panel checks (%lu with a slot shown), "
               "%lu commits, no invariant violated\n",
               runs, n_seeds, now_s() - start, (unsigned long long)seed, st.panel_checks, st.slot_shown_checks,
               st.commits);
    }
    return 0;
}
