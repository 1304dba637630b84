/** @module Writes weighted records the way ExternalDNS does (a record and its TXT ownership record per cluster) into a Route 53 (moto) with the real SDK. */
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, Route53Client, type Change } from '@aws-sdk/client-route-53';

export const MOTO_CREDENTIALS = { accessKeyId: 'AKIDFAKEFORTESTS0001', secretAccessKey: 'not-a-real-secret-for-tests' };

export function route53Client(endpoint: string): Route53Client {
  return new Route53Client({ region: 'us-east-1', endpoint, credentials: MOTO_CREDENTIALS, maxAttempts: 1 });
}

export async function createZone(client: Route53Client, name: string): Promise<string> {
  const out = await client.send(new CreateHostedZoneCommand({ Name: name, CallerReference: `${name}-${Date.now()}-${Math.random()}` }));
  const id = out.HostedZone?.Id ?? '';
  return id.replace('/hostedzone/', '');
}

/** The UPSERTs ExternalDNS makes for one cluster's weighted CNAME: the record and its new-format TXT ownership record. */
export function externalDnsChanges(name: string, setIdentifier: string, weight: number, owner: string, target = `${setIdentifier}-lb.elb.amazonaws.com`): Change[] {
  return [
    { Action: 'UPSERT', ResourceRecordSet: { Name: name, Type: 'CNAME', SetIdentifier: setIdentifier, Weight: weight, TTL: 60, ResourceRecords: [{ Value: target }] } },
    {
      Action: 'UPSERT',
      ResourceRecordSet: {
        Name: `cname-${name}`,
        Type: 'TXT',
        SetIdentifier: setIdentifier,
        Weight: weight,
        TTL: 300,
        ResourceRecords: [{ Value: `"heritage=external-dns,external-dns/owner=${owner},external-dns/resource=ingress/shop/web"` }],
      },
    },
  ];
}

export async function change(client: Route53Client, zoneId: string, changes: readonly Change[]): Promise<void> {
  for (let i = 0; i < changes.length; i += 500) {
    await client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: changes.slice(i, i + 500) } }));
  }
}
