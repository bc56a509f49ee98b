/* FP32 FMA peak and core clock of this machine, one core (run two copies at once for both cores):
 *   gcc -O2 -mavx512f -mfma -o /tmp/fma_peak benchmarks/fma_peak.c && /tmp/fma_peak
 * clock: a chain of dependent integer adds (1 cycle each); peak: 12 independent FMA chains, enough to
 * cover FMA latency x throughput on Zen 3/4/5 and Intel cores. */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
    long n = 1000000000L, x = 0;
    double t = now();
    for (long i = 0; i < n; i++) {
        __asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0" : "+r"(x));
    }
    double ghz = 4.0 * n / (now() - t) / 1e9;
    printf("clock    %.2f GHz\n", ghz);

    long it = 200000000L;
    __m512 a[12], b = _mm512_set1_ps(1.0000001f), c = _mm512_set1_ps(0.9999999f);
    for (int i = 0; i < 12; i++) a[i] = _mm512_set1_ps((float) i);
    t = now();
    for (long i = 0; i < it; i++) {
#pragma GCC unroll 12
        for (int j = 0; j < 12; j++) a[j] = _mm512_fmadd_ps(a[j], b, c);
    }
    double dt = now() - t;
    float s = 0;
    for (int i = 0; i < 12; i++) s += _mm512_reduce_add_ps(a[i]);
    double g = it * 12.0 * 32 / dt / 1e9;
    printf("AVX-512  %.1f GFLOP/s, %.1f flops/cycle  [%g]\n", g, g / ghz, s);

    __m256 y[12], yb = _mm256_set1_ps(1.0000001f), yc = _mm256_set1_ps(0.9999999f);
    for (int i = 0; i < 12; i++) y[i] = _mm256_set1_ps((float) i);
    t = now();
    for (long i = 0; i < it; i++) {
#pragma GCC unroll 12
        for (int j = 0; j < 12; j++) y[j] = _mm256_fmadd_ps(y[j], yb, yc);
    }
    dt = now() - t;
    float tmp[8];
    s = 0;
    for (int i = 0; i < 12; i++) {
        _mm256_storeu_ps(tmp, y[i]);
        for (int q = 0; q < 8; q++) s += tmp[q];
    }
    g = it * 12.0 * 16 / dt / 1e9;
    printf("AVX2     %.1f GFLOP/s, %.1f flops/cycle  [%g]\n", g, g / ghz, s);
    return 0;
}
