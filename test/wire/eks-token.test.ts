import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';
import { describe, expect, it } from 'vitest';
import {
  createEksToken,
  EKS_TOKEN_PREFIX,
  EksTokenSource,
  stsEndpointFor,
} from '../../plugin/adapters/kubernetes/eks-token.js';
import { regionFromServer } from '../../plugin/adapters/aws/aws-identifiers.js';
import { verifyEksToken, type FakeEksAuth } from '../support/fake-kube-apiserver.js';

// Obviously fake credentials: they sign, and only the fake verifier knows the secret.
const FAKE: AwsCredentialIdentity = { accessKeyId: 'AKIDGREENLIGHTFAKE01', secretAccessKey: 'fake-secret-key-for-tests-only' };
const fakeCredentials = async () => FAKE;
const verifier = (overrides: Partial<FakeEksAuth> = {}): FakeEksAuth => ({
  clusterName: 'prod-eu-green',
  credentials: { [FAKE.accessKeyId]: FAKE.secretAccessKey },
  ...overrides,
});

function decode(token: string): URL {
  return new URL(Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), 'base64url').toString('utf8'));
}

describe('createEksToken', () => {
  it('is k8s-aws-v1. + unpadded base64url of a presigned regional STS GetCallerIdentity URL', async () => {
    const { token, signedAt, expiresAt } = await createEksToken({ clusterName: 'prod-eu-green', region: 'eu-west-1', credentials: fakeCredentials });
    expect(token.startsWith('k8s-aws-v1.')).toBe(true);
    expect(token.slice(EKS_TOKEN_PREFIX.length)).toMatch(/^[A-Za-z0-9_-]+$/);
    const url = decode(token);
    expect(url.origin).toBe('https://sts.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/');
    const q = url.searchParams;
    expect(q.get('Action')).toBe('GetCallerIdentity');
    expect(q.get('Version')).toBe('2011-06-15');
    expect(q.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(q.get('X-Amz-Expires')).toBe('60');
    expect(q.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    expect(q.get('X-Amz-Credential')).toMatch(/^AKIDGREENLIGHTFAKE01\/\d{8}\/eu-west-1\/sts\/aws4_request$/);
    expect(q.get('X-Amz-Security-Token')).toBeNull();
    expect(expiresAt.getTime() - signedAt.getTime()).toBe(15 * 60_000);
  });

  it('is accepted by a verifier that recomputes the signature for the same cluster', async () => {
    const { token } = await createEksToken({ clusterName: 'prod-eu-green', region: 'eu-west-1', credentials: fakeCredentials });
    expect(verifyEksToken(token, verifier())).toEqual({ ok: true, user: expect.stringContaining('AKIDGREENLIGHTFAKE01') });
  });

  it('is bound to its cluster and its key: another cluster or secret fails the signature', async () => {
    const { token } = await createEksToken({ clusterName: 'prod-eu-blue', region: 'eu-west-1', credentials: fakeCredentials });
    expect(verifyEksToken(token, verifier())).toEqual({ ok: false, reason: expect.stringContaining('SignatureDoesNotMatch') });
    const { token: mine } = await createEksToken({ clusterName: 'prod-eu-green', region: 'eu-west-1', credentials: fakeCredentials });
    expect(verifyEksToken(mine, verifier({ credentials: { [FAKE.accessKeyId]: 'another-secret' } })).ok).toBe(false);
  });

  it('carries the session token of temporary credentials', async () => {
    const session = { ...FAKE, sessionToken: 'fake+session/token==' };
    const { token } = await createEksToken({ clusterName: 'prod-eu-green', region: 'eu-west-1', credentials: async () => session });
    expect(decode(token).searchParams.get('X-Amz-Security-Token')).toBe('fake+session/token==');
    expect(verifyEksToken(token, verifier()).ok).toBe(true);
  });

  it('signs for an overridden STS endpoint (AWS_ENDPOINT_URL_STS style)', async () => {
    const { token } = await createEksToken({
      clusterName: 'prod-eu-green',
      region: 'eu-west-1',
      credentials: fakeCredentials,
      stsEndpoint: 'http://127.0.0.1:4566',
    });
    expect(decode(token).host).toBe('127.0.0.1:4566');
    expect(verifyEksToken(token, verifier()).ok).toBe(false);
    expect(verifyEksToken(token, verifier({ extraStsHosts: ['127.0.0.1:4566'] })).ok).toBe(true);
  });

  it('expires 15 minutes after signing', async () => {
    const signingDate = new Date(Date.UTC(2025, 0, 1, 12, 0, 0));
    const { token } = await createEksToken({ clusterName: 'prod-eu-green', region: 'eu-west-1', credentials: fakeCredentials, signingDate });
    expect(verifyEksToken(token, verifier({ now: () => signingDate.getTime() + 14 * 60_000 })).ok).toBe(true);
    expect(verifyEksToken(token, verifier({ now: () => signingDate.getTime() + 16 * 60_000 }))).toEqual({
      ok: false,
      reason: expect.stringContaining('expired'),
    });
  });

  it('a presigned URL without a signed x-k8s-aws-id header is refused', async () => {
    const signer = new SignatureV4({ credentials: fakeCredentials, region: 'eu-west-1', service: 'sts', sha256: Hash.bind(null, 'sha256') });
    const signed = await signer.presign(
      new HttpRequest({
        protocol: 'https:',
        hostname: 'sts.eu-west-1.amazonaws.com',
        path: '/',
        query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
        headers: { host: 'sts.eu-west-1.amazonaws.com' },
      }),
      { expiresIn: 60 },
    );
    const query = new URLSearchParams(Object.entries(signed.query ?? {}).map(([k, v]) => [k, String(v)]));
    const token = EKS_TOKEN_PREFIX + Buffer.from(`https://sts.eu-west-1.amazonaws.com/?${query}`).toString('base64url');
    expect(verifyEksToken(token, verifier())).toEqual({ ok: false, reason: expect.stringContaining('x-k8s-aws-id') });
  });
});

describe('EksTokenSource', () => {
  it('reuses a token for 10 minutes, then signs a new one', async () => {
    let now = Date.UTC(2025, 0, 1, 12, 0, 0);
    let calls = 0;
    const source = new EksTokenSource({
      clusterName: 'prod-eu-green',
      region: 'eu-west-1',
      credentials: async () => {
        calls++;
        return FAKE;
      },
      now: () => now,
    });
    const first = await source.token();
    now += 9 * 60_000;
    expect(await source.token()).toBe(first);
    now += 2 * 60_000;
    const second = await source.token();
    expect(second).not.toBe(first);
    expect(calls).toBe(2);
    // The refreshed token is fresh: valid for another 15 minutes from its own signing.
    expect(verifyEksToken(second, verifier({ now: () => now + 14 * 60_000 })).ok).toBe(true);
  });

  it('refreshes before credentials that expire sooner than the token', async () => {
    let now = Date.UTC(2025, 0, 1, 12, 0, 0);
    let calls = 0;
    const source = new EksTokenSource({
      clusterName: 'prod-eu-green',
      region: 'eu-west-1',
      credentials: async () => {
        calls++;
        return { ...FAKE, sessionToken: 'fake-session', expiration: new Date(now + 5 * 60_000) };
      },
      now: () => now,
    });
    const first = await source.token();
    now += 3 * 60_000;
    expect(await source.token()).toBe(first);
    now += 90_000;
    expect(await source.token()).not.toBe(first);
    expect(calls).toBe(2);
  });

  it('signs once for concurrent callers', async () => {
    let calls = 0;
    const source = new EksTokenSource({
      clusterName: 'prod-eu-green',
      region: 'eu-west-1',
      credentials: async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 10));
        return FAKE;
      },
    });
    const tokens = await Promise.all([source.token(), source.token(), source.token()]);
    expect(new Set(tokens).size).toBe(1);
    expect(calls).toBe(1);
  });

  it('rejects when the credentials cannot be had, and tries again next time', async () => {
    let fail = true;
    const source = new EksTokenSource({
      clusterName: 'prod-eu-green',
      region: 'eu-west-1',
      credentials: async () => {
        if (fail) throw new Error('Could not load credentials from any providers');
        return FAKE;
      },
    });
    await expect(source.token()).rejects.toThrow('Could not load credentials');
    fail = false;
    await expect(source.token()).resolves.toMatch(/^k8s-aws-v1\./);
  });
});

describe('EKS endpoints', () => {
  it('reads the region from an EKS API server URL', () => {
    expect(regionFromServer('https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com')).toBe('eu-west-1');
    expect(regionFromServer('https://ABCDEF.yl4.us-gov-west-1.eks.amazonaws.com')).toBe('us-gov-west-1');
    expect(regionFromServer('https://ABCDEF.sk1.cn-north-1.eks.amazonaws.com.cn')).toBe('cn-north-1');
    expect(regionFromServer('https://kube.internal.example.com')).toBeUndefined();
    expect(regionFromServer('not a url')).toBeUndefined();
  });

  it('names the regional STS endpoint', () => {
    expect(stsEndpointFor('eu-west-1')).toBe('https://sts.eu-west-1.amazonaws.com');
    expect(stsEndpointFor('cn-north-1')).toBe('https://sts.cn-north-1.amazonaws.com.cn');
  });
});
