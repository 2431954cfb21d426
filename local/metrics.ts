/**
 * The local server's Prometheus metrics (GET /metrics), on a registry of its own: requests by route
 * template and status with their latencies, events by outcome, batch and step durations, the model
 * version serving, and the process's own (CPU, memory, event loop lag).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ConsumeCounts } from '../lambdas/handlers/consume';
import type { BatchResult } from './batch-runner';

export interface MetricsSources {
  /** The events consumed since start, by outcome. */
  events: () => ConsumeCounts;
  modelVersion: () => Promise<string | undefined>;
}

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'route' | 'method' | 'status'>;
  private readonly latency: Histogram<'route'>;
  private readonly batches: Histogram<'status'>;
  private readonly steps: Histogram<'state'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'movierec_' });
    this.requests = new Counter({
      name: 'movierec_http_requests_total',
      help: 'HTTP requests answered, by route template, method and status.',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.latency = new Histogram({
      name: 'movierec_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route template.',
      labelNames: ['route'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    new Counter({
      name: 'movierec_events_total',
      help: 'Rating events consumed since the server started, by outcome (received counts them all).',
      labelNames: ['outcome'],
      registers,
      collect() {
        this.reset();
        for (const [outcome, count] of Object.entries(sources.events())) this.inc({ outcome }, count);
      },
    });
    this.batches = new Histogram({
      name: 'movierec_batch_duration_seconds',
      help: 'Daily batch runs of this server, by outcome.',
      labelNames: ['status'],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800],
      registers,
    });
    this.steps = new Histogram({
      name: 'movierec_batch_step_duration_seconds',
      help: 'Daily batch steps that succeeded, by state.',
      labelNames: ['state'],
      buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 300, 900],
      registers,
    });
    new Gauge({
      name: 'movierec_model_info',
      help: 'The model version serving: 1 on its label, no series before the first batch.',
      labelNames: ['version'],
      registers,
      async collect() {
        this.reset();
        const version = await sources.modelVersion();
        if (version !== undefined) this.set({ version }, 1);
      },
    });
  }

  request(route: string, method: string, status: number, seconds: number): void {
    this.requests.inc({ route, method, status: String(status) });
    this.latency.observe({ route }, seconds);
  }

  batch(result: BatchResult, seconds: number): void {
    for (const s of result.steps) if (s.status === 'succeeded') this.steps.observe({ state: s.state }, s.seconds);
    this.batches.observe({ status: result.status }, seconds);
  }
}
