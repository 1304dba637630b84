/**
 * @module Live health of a pair from Prometheus: each signal's query filled in for blue and for
 * green (the cluster label matched to the Argo CD cluster name, an optional namespace for one
 * app family, the window), asked at once, and judged green beside blue by the pure rule.
 */
import { fillQuery, judgeSignal, SIGNAL_NAMES, type Reading, type SignalName, type SignalResult, type SignalSpec } from '../../../generator/index.js';
import type { PrometheusQuerier } from './prometheus-client.js';

/** The port the gate takes. */
export interface LiveHealthSource {
  health(input: LiveHealthInput, signal: AbortSignal): Promise<SignalResult[]>;
}

export interface LiveHealthInput {
  readonly blue: { readonly name: string };
  readonly green: { readonly name: string; readonly weight: number };
  readonly window: string;
  readonly namespace?: string | undefined;
}

export interface PrometheusHealthSourceOptions {
  /** GREENLIGHT_PROMETHEUS_CLUSTER_LABEL (default `cluster`). */
  readonly clusterLabel?: string;
  readonly signals: Readonly<Record<SignalName, SignalSpec>>;
}

export class PrometheusHealthSource implements LiveHealthSource {
  constructor(
    private readonly options: PrometheusHealthSourceOptions,
    private readonly prometheus: PrometheusQuerier,
  ) {}

  async health(input: LiveHealthInput, signal: AbortSignal): Promise<SignalResult[]> {
    const clusterLabel = this.options.clusterLabel ?? 'cluster';
    const read = async (spec: SignalSpec, cluster: string): Promise<Reading> => {
      let query: string;
      try {
        query = fillQuery(spec.query, { clusterLabel, cluster, namespace: input.namespace, window: input.window });
      } catch (err) {
        return { query: spec.query, error: (err as Error).message };
      }
      try {
        return { query, value: await this.prometheus.queryNumber(query, signal) };
      } catch (err) {
        return { query, error: (err as Error).message };
      }
    };
    return Promise.all(
      SIGNAL_NAMES.map(async (name) => {
        const spec = this.options.signals[name];
        const [blue, green] = await Promise.all([read(spec, input.blue.name), read(spec, input.green.name)]);
        return judgeSignal({ signal: name, spec, blue: { name: input.blue.name, reading: blue }, green: { name: input.green.name, weight: input.green.weight, reading: green } });
      }),
    );
  }
}
