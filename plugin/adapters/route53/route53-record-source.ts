/**
 * @module The weighted records of a pair in Route 53: every record set of the configured hosted
 * zones (GREENLIGHT_ROUTE53_ZONES) whose SetIdentifier names a cluster of the pair, TXT ownership
 * records included. ListResourceRecordSets is paged by (StartRecordName, StartRecordType,
 * StartRecordIdentifier); a zone may hold thousands of records, so every page is read, up to a
 * bound, and a zone that still has more fails the read rather than give part of the split.
 * Route 53 is global: the client signs for us-east-1 (aws-cn: cn-northwest-1 via the endpoint).
 */
import { ListResourceRecordSetsCommand, Route53Client, type RRType } from '@aws-sdk/client-route-53';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { z } from 'zod';
import { TimeoutError, UpstreamError, type WeightedRecord } from '../../../generator/index.js';
import { describeAwsFailure } from '../aws/aws-errors.js';
import { sdkClientOptions, type SdkClientSettings } from '../aws/sdk-client-config.js';
import { ZONE_ID } from './zone-id.js';

/** The port: the weighted records whose SetIdentifier is one of `setIdentifiers`, in every zone. */
export interface WeightedRecordSource {
  readonly zones: readonly string[];
  recordsFor(setIdentifiers: readonly string[], signal: AbortSignal): Promise<WeightedRecord[]>;
}


export interface Route53RecordSourceOptions {
  readonly zones: readonly string[];
  /** Pages read per zone before giving up (default 100 pages of 300 = 30,000 record sets). */
  readonly maxPagesPerZone?: number;
  /** Records per page asked for (Route 53's maximum and default is 300). */
  readonly pageSize?: number;
}

export interface Route53RecordSourceConfig extends Route53RecordSourceOptions, SdkClientSettings {
  /** greenlight's own credentials (the AwsCredentials default chain). */
  readonly credentials: AwsCredentialIdentityProvider;
}

// The parts of a page greenlight relies on.
const pageSchema = z.object({
  ResourceRecordSets: z.array(
    z.object({
      Name: z.string().min(1),
      Type: z.string().min(1),
      SetIdentifier: z.string().optional(),
      Weight: z.number().int().min(0).max(255).optional(),
      ResourceRecords: z.array(z.object({ Value: z.string() })).optional(),
      AliasTarget: z.object({ DNSName: z.string() }).optional(),
    }),
  ),
  IsTruncated: z.boolean().optional(),
  NextRecordName: z.string().optional(),
  NextRecordType: z.string().optional(),
  NextRecordIdentifier: z.string().optional(),
});

function zoneIdOf(zone: string): string {
  return ZONE_ID.exec(zone)?.[1] ?? zone;
}

export class Route53RecordSource implements WeightedRecordSource {
  readonly zones: readonly string[];

  constructor(
    private readonly options: Route53RecordSourceOptions,
    private readonly client: Pick<Route53Client, 'send'>,
  ) {
    const bad = options.zones.filter((z) => !ZONE_ID.test(z));
    if (bad.length > 0) throw new Error(`GREENLIGHT_ROUTE53_ZONES: ${bad.map((b) => `"${b}"`).join(', ')} ${bad.length === 1 ? 'is not a hosted zone id' : 'are not hosted zone ids'} such as Z0123456789ABCDEFGHIJ`);
    this.zones = options.zones.map(zoneIdOf);
  }

  /** A real Route 53 client; AWS_ENDPOINT_URL_ROUTE_53 (and the SDK's other standard settings) apply. */
  static fromConfig(config: Route53RecordSourceConfig): Route53RecordSource {
    const { credentials, endpoint, maxAttempts, requestTimeoutMs, ...options } = config;
    return new Route53RecordSource(options, new Route53Client(sdkClientOptions('us-east-1', credentials, { endpoint, maxAttempts, requestTimeoutMs })));
  }

  async recordsFor(setIdentifiers: readonly string[], signal: AbortSignal): Promise<WeightedRecord[]> {
    const wanted = new Set(setIdentifiers);
    const perZone = await Promise.all(this.zones.map((zone) => this.readZone(zone, wanted, signal)));
    return perZone.flat();
  }

  private async readZone(zoneId: string, wanted: ReadonlySet<string>, signal: AbortSignal): Promise<WeightedRecord[]> {
    const maxPages = this.options.maxPagesPerZone ?? 100;
    const where = `Route 53 ListResourceRecordSets in hosted zone ${zoneId}`;
    const found: WeightedRecord[] = [];
    let start: { name: string; type: string; identifier: string | undefined } | undefined;
    for (let pages = 0; ; pages++) {
      if (pages >= maxPages) {
        throw new UpstreamError('GL_FACTS_UNAVAILABLE', `${where} still had more pages after ${maxPages} (${found.length} records of the pair so far); greenlight stops there rather than judge part of the split. List fewer zones in GREENLIGHT_ROUTE53_ZONES`);
      }
      if (signal.aborted) throw new TimeoutError('GL_DEADLINE_EXCEEDED', `${where} was cancelled before Route 53 answered (the deadline passed)`);
      let raw: unknown;
      try {
        raw = await this.client.send(
          new ListResourceRecordSetsCommand({
            HostedZoneId: zoneId,
            MaxItems: this.options.pageSize ?? 300,
            ...(start ? { StartRecordName: start.name, StartRecordType: start.type as RRType, ...(start.identifier !== undefined ? { StartRecordIdentifier: start.identifier } : {}) } : {}),
          }),
          { abortSignal: signal },
        );
      } catch (err) {
        if (signal.aborted) throw new TimeoutError('GL_DEADLINE_EXCEEDED', `${where} was cancelled before Route 53 answered (the deadline passed)`, { cause: err });
        if ((err as { name?: unknown }).name === 'NoSuchHostedZone') {
          throw new UpstreamError('GL_FACTS_UNAVAILABLE', `${where}: there is no hosted zone ${zoneId} (NoSuchHostedZone): fix GREENLIGHT_ROUTE53_ZONES`, { cause: err });
        }
        throw new UpstreamError(
          'GL_FACTS_UNAVAILABLE',
          describeAwsFailure(err, { service: 'Route 53', api: 'ListResourceRecordSets', quoteAwsMessage: true, iamAction: 'route53:ListResourceRecordSets', resource: `arn:aws:route53:::hostedzone/${zoneId}`, notFoundAdvice: `there is no hosted zone ${zoneId}: fix GREENLIGHT_ROUTE53_ZONES` }, where),
          { cause: err },
        );
      }
      const page = pageSchema.safeParse(raw);
      if (!page.success) throw new UpstreamError('GL_FACTS_UNAVAILABLE', `${where} returned a page greenlight cannot read (${page.error.issues[0]?.message ?? 'bad shape'} at ${page.error.issues[0]?.path.join('.') ?? ''})`);
      for (const r of page.data.ResourceRecordSets) {
        if (r.SetIdentifier === undefined || !wanted.has(r.SetIdentifier)) continue;
        found.push({
          zoneId,
          name: r.Name.toLowerCase(),
          type: r.Type,
          setIdentifier: r.SetIdentifier,
          weight: r.Weight ?? null,
          values: r.AliasTarget ? [r.AliasTarget.DNSName] : (r.ResourceRecords ?? []).map((v) => v.Value),
        });
      }
      const { IsTruncated, NextRecordName, NextRecordType, NextRecordIdentifier } = page.data;
      if (!IsTruncated) return found;
      if (NextRecordName === undefined || NextRecordType === undefined) throw new UpstreamError('GL_FACTS_UNAVAILABLE', `${where} said there were more records but not where they start (no NextRecordName/NextRecordType)`);
      const next = { name: NextRecordName, type: NextRecordType, identifier: NextRecordIdentifier };
      if (start && start.name === next.name && start.type === next.type && start.identifier === next.identifier) {
        throw new UpstreamError('GL_FACTS_UNAVAILABLE', `${where} returned the same next record twice (${next.name} ${next.type}); greenlight stops rather than loop`);
      }
      start = next;
    }
  }
}
