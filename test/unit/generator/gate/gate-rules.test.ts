import { describe, expect, it } from 'vitest';
import {
  ALPHA_PREFIX,
  DEFAULT_PLAN,
  DEFAULT_SIGNALS,
  externalDnsVersion,
  fillQuery,
  GA_PREFIX,
  gateAnswer,
  gateAnswerSchema,
  gateConfigFileSchema,
  gateSettings,
  judgePrefix,
  judgeSignal,
  nextStep,
  ownerOf,
  planProblems,
  prefixRead,
  previousStep,
  promqlString,
  splitRows,
  type ExternalDnsSide,
  type GateInput,
  type SignalResult,
  type SplitMember,
  type WeightedRecord,
} from '../../../../generator/index.js';

describe('the step plan', () => {
  it('steps along the default plan, as Route 53 weights that read as percentages', () => {
    expect(DEFAULT_PLAN.map((s) => `${s.blue}/${s.green}`)).toEqual(['100/0', '80/20', '50/50', '20/80', '0/100']);
    expect(nextStep(DEFAULT_PLAN, { blue: 100, green: 0 })).toEqual({ blue: 80, green: 20 });
    expect(nextStep(DEFAULT_PLAN, { blue: 20, green: 80 })).toEqual({ blue: 0, green: 100 });
    expect(nextStep(DEFAULT_PLAN, { blue: 0, green: 100 })).toBeNull();
    expect(previousStep(DEFAULT_PLAN, { blue: 50, green: 50 })).toEqual({ blue: 80, green: 20 });
    expect(previousStep(DEFAULT_PLAN, { blue: 100, green: 0 })).toBeNull();
    expect(previousStep(DEFAULT_PLAN, { blue: 20, green: 80 }, true)).toEqual({ blue: 100, green: 0 });
    expect(previousStep(DEFAULT_PLAN, { blue: 100, green: 0 }, true)).toBeNull();
  });

  it('places weights off the plan by green share (255/0 is 100/0; 200/55 lies between 80/20 and 50/50)', () => {
    expect(nextStep(DEFAULT_PLAN, { blue: 255, green: 0 })).toEqual({ blue: 80, green: 20 });
    expect(nextStep(DEFAULT_PLAN, { blue: 200, green: 55 })).toEqual({ blue: 50, green: 50 });
    expect(previousStep(DEFAULT_PLAN, { blue: 200, green: 55 })).toEqual({ blue: 80, green: 20 });
    expect(nextStep(DEFAULT_PLAN, { blue: 0, green: 0 })).toBeNull();
  });

  it('rejects plans that do not move traffic towards green', () => {
    expect(planProblems(DEFAULT_PLAN)).toEqual([]);
    expect(planProblems([{ blue: 100, green: 0 }])).toEqual(['a plan needs at least two steps (where traffic is and where it goes)']);
    expect(planProblems([{ blue: 100, green: 0 }, { blue: 0, green: 0 }, { blue: 100, green: 0 }])).toEqual([
      'step 2 gives both clusters weight 0 (Route 53 would then spread traffic evenly)',
      'step 3 (100/0) does not give green a larger share than step 2 does',
    ]);
  });
});

describe('PromQL', () => {
  it('escapes label values so that a name cannot change the query', () => {
    expect(promqlString('prod-eu')).toBe('"prod-eu"');
    expect(promqlString('a"} or vector(1) #\\\n')).toBe('"a\\"} or vector(1) #\\\\\\n"');
    expect(fillQuery(DEFAULT_SIGNALS['error-ratio'].query, { clusterLabel: 'cluster', cluster: 'x"}', window: '5m' })).toBe(
      'sum(rate(http_requests_total{cluster="x\\"}",code=~"5.."}[5m])) / sum(rate(http_requests_total{cluster="x\\"}"}[5m]))',
    );
    expect(fillQuery(DEFAULT_SIGNALS.restarts.query, { clusterLabel: 'k8s_cluster', cluster: 'prod-eu-green', namespace: 'checkout', window: '10m' })).toBe(
      'sum(increase(kube_pod_container_status_restarts_total{k8s_cluster="prod-eu-green",namespace="checkout"}[10m]))',
    );
  });

  it('refuses bad windows, label names and placeholders', () => {
    const scope = { clusterLabel: 'cluster', cluster: 'c', window: '10m' };
    expect(() => fillQuery('x[{{window}}]', { ...scope, window: '10m] or vector(1) #' })).toThrow('the window "10m] or vector(1) #" is not a duration such as 30s, 10m, 1h or 1d');
    expect(() => fillQuery('x', { ...scope, clusterLabel: 'a-b' })).toThrow('the cluster label "a-b" is not a Prometheus label name');
    expect(() => fillQuery('{{ns}}', scope)).toThrow('unknown placeholder {{ns}}');
    expect(() => fillQuery('{{namespace}}', scope)).toThrow('the query uses {{namespace}} but no namespace was given');
  });
});

describe('live health, green beside blue', () => {
  const spec = DEFAULT_SIGNALS['error-ratio'];
  const read = (value: number | null) => ({ query: 'q', value });
  const input = (blue: number | null, green: number | null, weight = 20) => ({
    signal: 'error-ratio' as const,
    spec,
    blue: { name: 'blue-c', reading: read(blue) },
    green: { name: 'green-c', weight, reading: read(green) },
  });

  it('holds when green is worse than blue beyond the threshold, with both numbers', () => {
    const r = judgeSignal(input(0.002, 0.05));
    expect(r.outcome).toBe('hold');
    expect(r.limit).toBeCloseTo(0.012);
    expect(r.message).toBe("green-c's 5xx ratio is 5.00% against 0.20% on blue-c, above the threshold of 1.20% (blue × 1 + 1.00%): find out why before moving more traffic");
    expect(judgeSignal(input(0.002, 0.011)).outcome).toBe('ok');
  });

  it('reports no traffic on green as no live evidence, never as healthy', () => {
    const r = judgeSignal(input(0.002, null, 0));
    expect(r.outcome).toBe('no-evidence');
    expect(r.message).toBe('no live evidence yet: green-c has weight 0 and so no traffic; its 5xx ratio is judged once it serves some');
    expect(judgeSignal(input(0.002, null, 20)).outcome).toBe('hold');
    // Restarts need no traffic: green at weight 0 is judged.
    expect(judgeSignal({ ...input(0, 4, 0), signal: 'restarts', spec: DEFAULT_SIGNALS.restarts }).outcome).toBe('hold');
  });

  it('says unknown when Prometheus did not answer', () => {
    const r = judgeSignal({ ...input(0, 0), green: { name: 'green-c', weight: 20, reading: { query: 'q', error: 'connect ECONNREFUSED' } } });
    expect(r).toMatchObject({ outcome: 'unknown', message: '5xx ratio could not be evaluated: green-c: connect ECONNREFUSED' });
  });

  it('reads overrides from the config file and rejects unknown placeholders', () => {
    const file = gateConfigFileSchema.parse({ plan: [[100, 0], [0, 100]], window: '15m', signals: { 'p99-latency': { margin: 0.1 } } });
    const settings = gateSettings(file);
    expect(settings.plan).toEqual([{ blue: 100, green: 0 }, { blue: 0, green: 100 }]);
    expect(settings.signals['p99-latency']).toEqual({ ...DEFAULT_SIGNALS['p99-latency'], margin: 0.1 });
    expect(settings.window).toBe('15m');
    const bad = gateConfigFileSchema.safeParse({ signals: { restarts: { query: '{{pod}}' } }, plan: [[0, 100], [100, 0]] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.message)).toEqual(['unknown placeholder(s) {{pod}}: use {{selector}}, {{cluster}}, {{namespace}} or {{window}}', 'step 2 (100/0) does not give green a larger share than step 1 does']);
  });
});

const owned = (zoneId: string, name: string, type: string, id: string, owner: string, weight: number): WeightedRecord[] => [
  { zoneId, name, type, setIdentifier: id, weight, values: ['lb.example.com'] },
  { zoneId, name: `${type.toLowerCase()}-${name}`, type: 'TXT', setIdentifier: id, weight, values: [`"heritage=external-dns,external-dns/owner=${owner},external-dns/resource=ingress/shop/web"`] },
];
const members: SplitMember[] = [
  { name: 'blue-c', role: 'blue', desired: 80, owner: 'blue-c' },
  { name: 'green-c', role: 'green', desired: 20, owner: 'green-c' },
];

describe('the real split', () => {
  it('reads the owner from ExternalDNS TXT values', () => {
    expect(ownerOf('"heritage=external-dns,external-dns/owner=prod,external-dns/resource=service/a/b"')).toBe('prod');
    expect(ownerOf('"v=spf1 -all"')).toBeUndefined();
  });

  it('matches records that follow the desired weights', () => {
    const rows = splitRows(members, [...owned('Z1', 'shop.example.com.', 'CNAME', 'blue-c', 'blue-c', 80), ...owned('Z1', 'shop.example.com.', 'CNAME', 'green-c', 'green-c', 20)]);
    expect(rows.map((r) => [r.cluster, r.record, r.desired, r.actual, r.owner, r.outcome])).toEqual([
      ['blue-c', 'shop.example.com. CNAME', 80, 80, 'blue-c', 'ok'],
      ['green-c', 'shop.example.com. CNAME', 20, 20, 'green-c', 'ok'],
    ]);
  });

  it('finds a mismatch, a missing record and another owner', () => {
    const records = [
      ...owned('Z1', 'shop.example.com.', 'CNAME', 'blue-c', 'blue-c', 100),
      ...owned('Z1', 'shop.example.com.', 'CNAME', 'green-c', 'green-c', 0),
      ...owned('Z1', 'api.example.com.', 'A', 'blue-c', 'blue-c', 80),
      ...owned('Z1', 'cart.example.com.', 'A', 'blue-c', 'blue-c', 80),
      ...owned('Z1', 'cart.example.com.', 'A', 'green-c', 'someone-else', 20),
      { zoneId: 'Z1', name: 'pay.example.com.', type: 'A', setIdentifier: 'green-c', weight: 20, values: ['1.2.3.4'] },
    ];
    const rows = splitRows(members, records);
    expect(rows.filter((r) => r.outcome !== 'ok').map((r) => [r.record, r.cluster, r.outcome, r.actual, r.owner])).toEqual([
      ['api.example.com. A', 'green-c', 'missing', null, null],
      ['cart.example.com. A', 'green-c', 'other-owner', 20, 'someone-else'],
      ['pay.example.com. A', 'blue-c', 'missing', null, null],
      ['pay.example.com. A', 'green-c', 'other-owner', 20, null],
      ['shop.example.com. CNAME', 'blue-c', 'mismatch', 100, 'blue-c'],
      ['shop.example.com. CNAME', 'green-c', 'mismatch', 0, 'green-c'],
    ]);
  });

  it('says missing for both clusters when the pair has no record at all', () => {
    expect(splitRows(members, []).map((r) => [r.cluster, r.outcome, r.record])).toEqual([
      ['blue-c', 'missing', ''],
      ['green-c', 'missing', ''],
    ]);
  });
});

const side = (cluster: string, version: string | null, prefix: string | null): ExternalDnsSide => ({ cluster, found: true, version, prefix, ownerId: cluster, txtPrefix: null, source: 'Deployment external-dns/external-dns' });

describe('ExternalDNS prefixes', () => {
  it('tells the prefix from the version, unless --annotation-prefix pins it', () => {
    expect(externalDnsVersion('registry.k8s.io/external-dns/external-dns:v0.22.0')).toBe('v0.22.0');
    expect(externalDnsVersion('bitnami/external-dns:0.21.0-debian-12-r3@sha256:abc')).toBe('v0.21.0');
    expect(externalDnsVersion('external-dns:latest')).toBeUndefined();
    expect(prefixRead('v0.21.0', undefined)).toBe(ALPHA_PREFIX);
    expect(prefixRead('v0.22.0', undefined)).toBe(GA_PREFIX);
    expect(prefixRead('v0.22.0', ALPHA_PREFIX)).toBe(ALPHA_PREFIX);
    expect(prefixRead(undefined, undefined)).toBeUndefined();
  });

  it('holds on a skew between blue and green', () => {
    const j = judgePrefix(side('blue-c', 'v0.21.0', ALPHA_PREFIX), side('green-c', 'v0.22.0', GA_PREFIX));
    expect(j.outcome).toBe('hold');
    expect(j.message).toContain('ExternalDNS reads "external-dns.alpha.kubernetes.io/" annotations on blue-c (v0.21.0) but "external-dns.kubernetes.io/" on green-c (v0.22.0)');
    expect(judgePrefix(side('blue-c', 'v0.21.0', ALPHA_PREFIX), side('green-c', 'v0.22.0', ALPHA_PREFIX)).outcome).toBe('ok');
    expect(judgePrefix(side('blue-c', 'v0.21.0', ALPHA_PREFIX), { cluster: 'green-c', error: 'forbidden' }).outcome).toBe('unknown');
  });
});

describe('the gate', () => {
  const ok = (signal: SignalResult['signal']): SignalResult => ({ signal, outcome: 'ok', unit: 'ratio', blue: 0, green: 0, limit: 0.01, query: { blue: 'qb', green: 'qg' }, message: 'fine' });
  const base: GateInput = {
    pair: 'p',
    window: '10m',
    plan: DEFAULT_PLAN,
    blue: members[0] as SplitMember,
    green: members[1] as SplitMember,
    readiness: { outcome: 'ready', warnings: 0 },
    health: [ok('error-ratio'), ok('p99-latency'), ok('restarts')],
    split: splitRows(members, [...owned('Z1', 'shop.example.com.', 'A', 'blue-c', 'blue-c', 80), ...owned('Z1', 'shop.example.com.', 'A', 'green-c', 'green-c', 20)]),
    zones: ['Z1'],
    externalDns: { sides: [side('blue-c', 'v0.21.0', ALPHA_PREFIX), side('green-c', 'v0.21.0', ALPHA_PREFIX)], judgment: { outcome: 'ok', message: '', evidence: {} } },
  };

  it('says go with the next step when everything holds up', () => {
    const a = gateAnswerSchema.parse(gateAnswer(base));
    expect(a.decision).toBe('go');
    expect(a.step).toMatchObject({ index: 1, current: { blue: 80, green: 20 }, next: { blue: 50, green: 50 } });
    expect(a.reasons).toEqual([]);
  });

  it('holds over unknown, and is unknown (never go) when something could not be evaluated', () => {
    expect(gateAnswer({ ...base, health: { error: 'GREENLIGHT_PROMETHEUS_URL is not set' } }).decision).toBe('unknown');
    const both = gateAnswer({ ...base, health: { error: 'down' }, readiness: { outcome: 'blockers', blockers: [{ subject: 'addon:kube-proxy', message: 'm' }] } });
    expect(both.decision).toBe('hold');
    expect(both.reasons.map((r) => [r.check, r.outcome])).toEqual([['readiness', 'hold'], ['health', 'unknown']]);
  });

  it('names the split mismatch with its record and numbers', () => {
    const a = gateAnswer({ ...base, split: splitRows(members, [...owned('Z1', 'shop.example.com.', 'A', 'blue-c', 'blue-c', 100), ...owned('Z1', 'shop.example.com.', 'A', 'green-c', 'green-c', 0)]) });
    expect(a.decision).toBe('hold');
    expect(a.reasons[0]).toEqual({
      check: 'split',
      outcome: 'hold',
      message: 'shop.example.com. A (zone Z1): Route 53 gives blue-c weight 100, but greenlight.io/weight asks for 80: ExternalDNS on blue-c has not applied the last step yet (wait for its next sync, or read its logs)',
      evidence: { record: 'shop.example.com. A', zone: 'Z1', cluster: 'blue-c', desired: 80, actual: 100, owner: 'blue-c', 'expected owner': 'blue-c' },
    });
  });

  it('lets the first step go without live evidence, saying so; holds at the last step', () => {
    const first = gateAnswer({
      ...base,
      blue: { ...base.blue, desired: 100 },
      green: { ...base.green, desired: 0 },
      split: { error: 'x' },
      health: [{ ...ok('error-ratio'), outcome: 'no-evidence', message: 'no live evidence yet' }],
    });
    expect(first.reasons.map((r) => [r.check, r.outcome])).toEqual([['health', 'note'], ['split', 'unknown']]);
    const last = gateAnswer({ ...base, blue: { ...base.blue, desired: 0 }, green: { ...base.green, desired: 100 }, split: [] });
    expect(last.decision).toBe('hold');
    expect(last.reasons[0]?.message).toBe("pair p is at 0/100 (blue/green), the plan's last step: there is no next step");
  });
});
