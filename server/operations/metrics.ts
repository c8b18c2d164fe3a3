/**
 * Prometheus metrics (prom-client), one registry per process: request durations by route and
 * status, delivery attempts by outcome and their latency (counted where the worker runs), and the
 * queue read from the database at each scrape (the same whichever process is scraped).
 */
import client from "prom-client";
import { getDb } from "../db";
import { logger } from "../http/log";
import { processSingleton } from "../process-singleton";
import { deliveryQueue } from "./health";

export const metrics = () =>
  processSingleton("metrics", () => {
    const registry = new client.Registry();
    client.collectDefaultMetrics({ register: registry });
    const registers = [registry];
    // The queue's gauges are collected together at each scrape: they share one read of it.
    let reading: ReturnType<typeof readQueue> | null = null;
    const readQueue = () =>
      deliveryQueue(getDb()).catch((error) => {
        logger.warn({ err: error }, "metrics: the delivery queue could not be read");
        return null;
      });
    const queue = () => {
      reading ??= readQueue().finally(() => {
        reading = null;
      });
      return reading;
    };
    return {
      registry,
      requestDuration: new client.Histogram({
        name: "http_request_duration_seconds",
        help: "API requests by route, method and status",
        labelNames: ["route", "method", "status"] as const,
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        registers,
      }),
      attempts: new client.Counter({
        name: "webhook_delivery_attempts_total",
        help: "Delivery attempts by outcome: success, retry (failed, to be retried), failure (failed for good)",
        labelNames: ["outcome"] as const,
        registers,
      }),
      claims: new client.Counter({
        name: "webhook_worker_claims_total",
        help: "The worker's claims of due deliveries: took (some) or empty (nothing it could take)",
        labelNames: ["result"] as const,
        registers,
      }),
      attemptDuration: new client.Histogram({
        name: "webhook_delivery_attempt_duration_seconds",
        help: "From sending a delivery attempt to the receiver's answer (or giving up on it)",
        buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers,
      }),
      pending: new client.Gauge({
        name: "webhook_deliveries_pending",
        help: "Deliveries waiting for an attempt (all workers)",
        registers,
        async collect() {
          const state = await queue();
          if (state) this.set(state.pending);
        },
      }),
      oldestPending: new client.Gauge({
        name: "webhook_oldest_pending_delivery_age_seconds",
        help: "How long the oldest pending delivery has waited since it was published (0 when none)",
        registers,
        async collect() {
          const state = await queue();
          if (state) this.set(state.oldestPendingAgeSeconds ?? 0);
        },
      }),
      pendingBeyondRetention: new client.Gauge({
        name: "webhook_deliveries_pending_beyond_retention",
        help: "Pending deliveries published longer ago than LOG_RETENTION_DAYS (kept until sent)",
        registers,
        async collect() {
          const state = await queue();
          if (state) this.set(state.pendingBeyondRetention);
        },
      }),
    };
  });
