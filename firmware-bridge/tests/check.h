/* A dozen lines of test framework: every failed check prints where and why, and main() returns non-zero. */
#ifndef SKYLT_CHECK_H
#define SKYLT_CHECK_H

#include <stdio.h>

extern int check_failures;
extern int check_count;

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        check_count++;                                                                                                 \
        if (!(cond)) {                                                                                                 \
            check_failures++;                                                                                          \
            fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond);                                         \
        }                                                                                                              \
    } while (0)

#define CHECK_EQ(a, b)                                                                                                 \
    do {                                                                                                               \
        unsigned long check_a_ = (unsigned long)(a), check_b_ = (unsigned long)(b);                                    \
        check_count++;                                                                                                 \
        if (check_a_ != check_b_) {                                                                                    \
            check_failures++;                                                                                          \
            fprintf(stderr, "%s:%d: FAILED: %s == %s (%lu != %lu, 0x%lx != 0x%lx)\n", __FILE__, __LINE__, #a, #b,      \
                    check_a_, check_b_, check_a_, check_b_);                                                           \
        }                                                                                                              \
    } while (0)

#endif
