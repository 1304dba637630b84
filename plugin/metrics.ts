/**
 * @module Prometheus metrics on a private registry (prom-client). What /metrics exposes passes
 * `promtool check metrics` (test/e2e/promtool.test.ts): only counters end in `_total`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'greenlight_http_requests_total',
    help: 'HTTP requests by route, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'greenlight_http_request_duration_seconds',
    help: 'HTTP request latency by route.',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
    registers: [this.registry],
  });
  readonly parameterSets = new Counter({
    name: 'greenlight_parameter_sets_served_total',
    help: 'Parameter sets returned to Argo CD.',
    registers: [this.registry],
  });
  readonly failures = new Counter({
    name: 'greenlight_getparams_failures_total',
    help: 'getparams.execute calls answered with an error, by error code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly inventoryProblems = new Counter({
    name: 'greenlight_inventory_problems_total',
    help: 'Cluster registrations (Secrets, fleet entries) that could not be read.',
    labelNames: ['inventory'] as const,
    registers: [this.registry],
  });
  readonly inventoryAnomalies = new Counter({
    name: 'greenlight_inventory_anomalies_total',
    help: 'Answers of the inventory upstream that greenlight ignored or gave up: malformed watch events, Secret lists whose continue tokens do not end.',
    labelNames: ['inventory', 'reason'] as const,
    registers: [this.registry],
  });
  readonly inventoryDepartures = new Counter({
    name: 'greenlight_inventory_departures_total',
    help: 'Clusters that left the inventory (left), came back within the removal grace (returned), or were dropped after it (dropped).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly inventoryLeaving = new Gauge({
    name: 'greenlight_inventory_leaving_clusters',
    help: 'Clusters that left the inventory and are within the removal grace: requests that may select them answer 503 GL_CLUSTER_LEAVING.',
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry, prefix: 'greenlight_' });
      // prom-client's nodejs_active_{handles,requests,resources}_total are gauges, which
      // Prometheus' naming rules (and promtool) refuse; the same gauges without `_total`, by
      // type, stay, and their sum is the total.
      for (const metric of this.registry.getMetricsAsArray()) {
        if (metric.name.endsWith('_total') && String(metric.type) !== 'counter') this.registry.removeSingleMetric(metric.name);
      }
    }
  }
}
