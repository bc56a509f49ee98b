package org.varsparse.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A seeded train/validation split of the row indices 0..n−1.
 *
 * <p>Algorithm (kept fixed so that a seed always gives the same split): a Fisher–Yates shuffle of
 * 0..n−1 driven by {@code new SplittableRandom(seed)}, for i = n−1 down to 1 swapping a[i] with
 * a[rng.nextInt(i + 1)]; the first n − nVal shuffled indices are the training set, the last nVal the
 * validation set. Both keep the shuffled order (like the reference's unsorted index files); the two
 * sets are disjoint and together cover every row once.
 *
 * @param train training row indices (n − nVal), shuffled order
 * @param val   validation row indices (nVal), shuffled order; batches read them in this fixed order
 */
public record Split(int[] train, int[] val) {

    public static Split of(int n, int nVal, long seed) {
        if (nVal < 0 || nVal > n) {
            throw new IllegalArgumentException("validation size " + nVal + " must be in 0.." + n);
        }
        int[] a = Batches.shuffle(identity(n), new SplittableRandom(seed));
        int[] train = Arrays.copyOfRange(a, 0, n - nVal);
        int[] val = Arrays.copyOfRange(a, n - nVal, n);
        return new Split(train, val);
    }

    static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }
}
