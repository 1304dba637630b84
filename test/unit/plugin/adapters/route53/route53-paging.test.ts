/**
 * Paging by set identifier, against an injected client that pages as Route 53 documents it
 * (ordered by name, type, set identifier; the next page starts at NextRecordName/Type/Identifier).
 * moto 5.2.1 lacks NextRecordIdentifier, so this part of the protocol is checked here.
 */
import { describe, expect, it } from 'vitest';
import type { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { Route53RecordSource } from '../../../../../plugin/adapters/route53/route53-record-source.js';

interface Rrs {
  Name: string;
  Type: string;
  SetIdentifier?: string;
  Weight?: number;
  ResourceRecords: { Value: string }[];
}

function pagingClient(records: Rrs[], options: { dropIdentifier?: boolean } = {}) {
  const key = (r: Rrs) => [r.Name, r.Type, r.SetIdentifier ?? ''] as const;
  const sorted = [...records].sort((a, b) => key(a).join('\u0000').localeCompare(key(b).join('\u0000')));
  const calls: unknown[] = [];
  return {
    calls,
    send: async (command: ListResourceRecordSetsCommand) => {
      const input = command.input;
      calls.push(input);
      const from = input.StartRecordName === undefined ? 0 : sorted.findIndex((r) => r.Name === input.StartRecordName && r.Type === input.StartRecordType && (input.StartRecordIdentifier === undefined || r.SetIdentifier === input.StartRecordIdentifier));
      const size = input.MaxItems ?? 300;
      const page = sorted.slice(from, from + size);
      const next = sorted[from + size];
      return {
        ResourceRecordSets: page,
        IsTruncated: next !== undefined,
        ...(next ? { NextRecordName: next.Name, NextRecordType: next.Type, ...(next.SetIdentifier && !options.dropIdentifier ? { NextRecordIdentifier: next.SetIdentifier } : {}) } : {}),
      };
    },
  };
}

const weighted = (id: string, weight: number): Rrs => ({ Name: 'web.example.org.', Type: 'CNAME', SetIdentifier: id, Weight: weight, ResourceRecords: [{ Value: `${id}.elb.amazonaws.com` }] });

describe('Route53RecordSource paging', () => {
  it('starts each page at the next set identifier, so that no record is lost or read twice', async () => {
    const client = pagingClient([weighted('a-other', 1), weighted('blue', 80), weighted('green', 20), weighted('z-other', 1)]);
    const source = new Route53RecordSource({ zones: ['ZTEST'], pageSize: 1 }, client as never);
    const records = await source.recordsFor(['blue', 'green'], new AbortController().signal);
    expect(records.map((r) => `${r.setIdentifier} ${r.weight}`)).toEqual(['blue 80', 'green 20']);
    expect(client.calls).toEqual([
      { HostedZoneId: 'ZTEST', MaxItems: 1 },
      { HostedZoneId: 'ZTEST', MaxItems: 1, StartRecordName: 'web.example.org.', StartRecordType: 'CNAME', StartRecordIdentifier: 'blue' },
      { HostedZoneId: 'ZTEST', MaxItems: 1, StartRecordName: 'web.example.org.', StartRecordType: 'CNAME', StartRecordIdentifier: 'green' },
      { HostedZoneId: 'ZTEST', MaxItems: 1, StartRecordName: 'web.example.org.', StartRecordType: 'CNAME', StartRecordIdentifier: 'z-other' },
    ]);
  });

  it('stops, naming the record, when the server sends the same next record again', async () => {
    const client = pagingClient([weighted('a-other', 1), weighted('blue', 80), weighted('green', 20)], { dropIdentifier: true });
    const source = new Route53RecordSource({ zones: ['ZTEST'], pageSize: 1 }, client as never);
    await expect(source.recordsFor(['blue'], new AbortController().signal)).rejects.toThrow(
      'Route 53 ListResourceRecordSets in hosted zone ZTEST returned the same next record twice (web.example.org. CNAME); greenlight stops rather than loop',
    );
  });
});
