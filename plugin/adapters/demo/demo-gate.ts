/**
 * @module The demo fleet's traffic: what a Prometheus, Route 53 and each cluster's ExternalDNS
 * would say about prod-eu mid-upgrade. Blue serves all traffic at a healthy 0.2% 5xx; green is
 * at weight 0, so it has no live evidence yet; the weighted records follow the cluster Secrets;
 * both clusters run ExternalDNS v0.22 reading the same prefix. The real health source, split
 * rule and gate judge these answers, as they would a real Prometheus's.
 */
import type { ClusterRecord, ExternalDnsReading, WeightedRecord } from '../../../generator/index.js';
import { GA_PREFIX, resolveBlueGreen } from '../../../generator/index.js';
import type { ExternalDnsSource } from '../external-dns/kube-external-dns-source.js';
import type { PrometheusQuerier } from '../prometheus/prometheus-client.js';
import type { WeightedRecordSource } from '../route53/route53-record-source.js';

/** Per cluster, per metric the default queries read: the value a query over it gives. */
const SERIES: Readonly<Record<string, Readonly<Record<string, number | null>>>> = {
  'prod-eu-blue': { http_requests_total: 0.0021, http_request_duration_seconds_bucket: 0.184, kube_pod_container_status_restarts_total: 0 },
  // Weight 0: no requests reach it yet; its pods have been up since it was built.
  'prod-eu-green': { http_requests_total: null, http_request_duration_seconds_bucket: null, kube_pod_container_status_restarts_total: 0 },
};

/** Answers the default signal queries for the demo clusters, by the cluster label value and metric they name. */
export class DemoPrometheus implements PrometheusQuerier {
  readonly endpoint = 'demo Prometheus (built-in series)';

  constructor(private readonly clusterLabel = 'cluster') {}

  queryNumber(promql: string, _signal: AbortSignal): Promise<number | null> {
    const cluster = new RegExp(`${this.clusterLabel}="([^"]+)"`).exec(promql)?.[1];
    const series = cluster === undefined ? undefined : SERIES[cluster];
    const metric = series ? Object.keys(series).find((m) => promql.includes(m)) : undefined;
    return Promise.resolve(series && metric ? (series[metric] ?? null) : null);
  }
}

const ZONE = 'Z0DEMO00000000000001';

/** The weighted records ExternalDNS wrote for the demo fleet's Ingresses: as the cluster Secrets ask. */
export class DemoRecords implements WeightedRecordSource {
  readonly zones = [ZONE];

  constructor(private readonly clusters: () => readonly ClusterRecord[]) {}

  recordsFor(setIdentifiers: readonly string[], _signal: AbortSignal): Promise<WeightedRecord[]> {
    const out: WeightedRecord[] = [];
    for (const c of this.clusters()) {
      if (!setIdentifiers.includes(c.name)) continue;
      const weight = Number(resolveBlueGreen(c).weight ?? 0);
      for (const name of ['shop.example.com.', 'api.shop.example.com.']) {
        out.push({ zoneId: ZONE, name, type: 'A', setIdentifier: c.name, weight, values: [] });
        out.push({ zoneId: ZONE, name: `a-${name}`, type: 'TXT', setIdentifier: c.name, weight, values: [`"heritage=external-dns,external-dns/owner=default,external-dns/resource=ingress/web/web"`] });
      }
    }
    return Promise.resolve(out);
  }
}

/** ExternalDNS v0.22.0 on every demo cluster, reading the GA prefix. */
export class DemoExternalDns implements ExternalDnsSource {
  read(cluster: ClusterRecord, _signal: AbortSignal): Promise<ExternalDnsReading> {
    return Promise.resolve({
      cluster: cluster.name,
      found: true,
      version: 'v0.22.0',
      prefix: GA_PREFIX,
      ownerId: 'default',
      txtPrefix: null,
      source: 'Deployment external-dns/external-dns (image registry.k8s.io/external-dns/external-dns:v0.22.0)',
    });
  }
}
