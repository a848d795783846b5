package org.dnispark.jobs;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.dnispark.runtime.TiledPredictor;

/**
 * Predictors kept in an executor between the tasks of one run, so that a network is built once per task slot rather
 * than once per partition. A predictor is handed to one task at a time and holds one coefficient's weights (every
 * block swaps its own in). When a task of another run (or device) asks, the idle predictors of the old key are closed,
 * so an executor holds at most its task slots' worth of networks, and none of a finished run beyond the next one.
 */
final class PredictorPool {
    private static final int MAX_IDLE = 16;
    private static final Map<String, Deque<TiledPredictor>> IDLE = new HashMap<>();

    private PredictorPool() {
    }

    /** An idle predictor of this key, or a new one. */
    static TiledPredictor take(String key, Supplier<TiledPredictor> create) {
        synchronized (IDLE) {
            IDLE.entrySet().removeIf(e -> {
                if (e.getKey().equals(key)) {
                    return false;
                }
                e.getValue().forEach(TiledPredictor::close);
                return true;
            });
            Deque<TiledPredictor> idle = IDLE.get(key);
            if (idle != null && !idle.isEmpty()) {
                return idle.pop();
            }
        }
        return create.get();
    }

    /** Returns a predictor after a task that ended normally; beyond the limit it is closed. */
    static void give(String key, TiledPredictor p) {
        synchronized (IDLE) {
            Deque<TiledPredictor> idle = IDLE.computeIfAbsent(key, k -> new ArrayDeque<>());
            if (idle.size() < MAX_IDLE) {
                idle.push(p);
                return;
            }
        }
        p.close();
    }
}
