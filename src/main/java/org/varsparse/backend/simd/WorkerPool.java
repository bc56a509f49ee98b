package org.varsparse.backend.simd;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed set of daemon threads that run one task at a time, split by worker index.
 *
 * <p>{@link #run} hands index 0 to the calling thread and 1..n-1 to parked workers, then parks until all
 * are done. Workers park between tasks instead of spinning: two spinning pools on 2 vCPUs collapse when a
 * vCPU is stolen (PERF-NOTES). Callers hold {@link #lock()} around a task and everything the task reads
 * (job fields, per-worker scratch), so concurrent users of one backend are serialised, not mixed.
 */
final class WorkerPool {

    /** Work split by worker index; index 0 runs on the caller. */
    interface Task {
        void run(int worker);
    }

    private final int size;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicInteger pending = new AtomicInteger();
    private final Thread[] threads; // threads[w] runs worker w; threads[0] is unused (the caller)
    private volatile int generation;
    private volatile int active;
    private volatile Task task;
    private volatile Thread waiter;
    private volatile Throwable failure;

    WorkerPool(int size, String name) {
        if (size < 1) {
            throw new IllegalArgumentException("thread count " + size + " is not positive");
        }
        this.size = size;
        this.threads = new Thread[size];
        for (int w = 1; w < size; w++) {
            int index = w;
            Thread t = new Thread(() -> loop(index), name + "-" + w);
            t.setDaemon(true);
            threads[w] = t;
            t.start();
        }
    }

    int size() {
        return size;
    }

    ReentrantLock lock() {
        return lock;
    }

    /** Runs {@code t.run(0..n-1)}, worker 0 on this thread; returns when all have finished. Hold {@link #lock()}. */
    void run(Task t, int n) {
        assert lock.isHeldByCurrentThread();
        assert n >= 1 && n <= size;
        if (n == 1) {
            t.run(0);
            return;
        }
        task = t;
        active = n;
        failure = null;
        waiter = Thread.currentThread();
        pending.set(n - 1);
        generation++; // publishes the fields above to the workers
        for (int w = 1; w < n; w++) {
            LockSupport.unpark(threads[w]);
        }
        Throwable mine = null;
        try {
            t.run(0);
        } catch (Throwable e) {
            mine = e;
        }
        while (pending.get() != 0) {
            LockSupport.park(this);
        }
        task = null;
        Throwable theirs = failure;
        if (mine == null) {
            mine = theirs;
        }
        if (mine instanceof RuntimeException re) {
            throw re;
        }
        if (mine instanceof Error er) {
            throw er;
        }
    }

    private void loop(int index) {
        int seen = 0;
        while (true) {
            int g;
            while ((g = generation) == seen) {
                LockSupport.park(this);
            }
            seen = g;
            if (index >= active) {
                continue;
            }
            try {
                task.run(index);
            } catch (Throwable e) {
                failure = e;
            } finally {
                if (pending.decrementAndGet() == 0) {
                    LockSupport.unpark(waiter);
                }
            }
        }
    }
}
