import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../../generator/index.js';
import { describeAwsFailure } from '../../../../plugin/adapters/aws/aws-errors.js';
import { describeUpstreamError } from '../../../../plugin/adapters/facts-cache/upstream-errors.js';
import { describeKubeFailure } from '../../../../plugin/adapters/kubernetes/kube-request.js';
import { hasUserinfo, MAX_QUOTED_CHARS, quoteUpstream, withoutUserinfo } from '../../../../plugin/adapters/upstream-text.js';

/** Each canary is a credential in one of the shapes upstream text carries them. */
const CANARIES = {
  userinfo: 'CANARY-PASSWORD-0000',
  bearer: 'CANARYBEARER0000abcdef',
  eksToken: 'aHR0cHM6Ly9zdHMuQ0FOQVJZLWVrcy10b2tlbi0wMDAw',
  accessKey: 'AKIACANARY0000000000',
  tempKey: 'ASIACANARY0000000001',
  password: 'canary-password-0002',
  secret: 'canary-secret-0003',
  token: 'canary-token-0004',
  signature: 'c4a7a7e0000deadbeef0005',
  credential: 'canary-credential-0006',
  securityToken: 'canary-security-token-0007',
  pem: 'MIIEcanaryPEMbody0008',
  jwt: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.canary-jwt-sig-0009',
} as const;

/** Upstream text as it really comes: AWS messages, Status bodies, presigned URLs, JSON. */
const TEXTS = [
  `request to https://canary-user:${CANARIES.userinfo}@kube.example.com/version failed, reason: connect ECONNREFUSED 10.0.0.1:443`,
  `the request carried Authorization: Bearer ${CANARIES.bearer} and was refused`,
  `invalid token k8s-aws-v1.${CANARIES.eksToken}`,
  `The security token included in the request is invalid (access key ${CANARIES.accessKey}, session ${CANARIES.tempKey})`,
  `https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&X-Amz-Credential=${CANARIES.credential}&X-Amz-Signature=${CANARIES.signature}&X-Amz-Security-Token=${CANARIES.securityToken}`,
  `{"password":"${CANARIES.password}","client_secret": "${CANARIES.secret}","token":"${CANARIES.token}"}`,
  `password=${CANARIES.password} secret: ${CANARIES.secret}`,
  `-----BEGIN RSA PRIVATE KEY-----\n${CANARIES.pem}\n-----END RSA PRIVATE KEY-----`,
  `-----BEGIN CERTIFICATE-----\n${CANARIES.pem}`,
  `serviceaccount token ${CANARIES.jwt} expired`,
];

function leaks(text: string): string[] {
  return Object.entries(CANARIES)
    .filter(([, canary]) => text.includes(canary))
    .map(([name]) => name);
}

describe('quoteUpstream', () => {
  it('replaces every credential canary, alone and buried in long text', () => {
    for (const text of TEXTS) {
      expect(leaks(quoteUpstream(text)), text).toEqual([]);
      // Far into a long body, and straddling the cut.
      const long = `${'x '.repeat(140)}${text}${' y'.repeat(400)}`;
      expect(leaks(quoteUpstream(long)), text).toEqual([]);
    }
    expect(leaks(quoteUpstream(TEXTS.join('\n')))).toEqual([]);
  });

  it('keeps what an operator needs: names, ARNs, codes, hosts', () => {
    const denied =
      'User: arn:aws:sts::123456789012:assumed-role/greenlight/s is not authorized to perform: ssm:GetParametersByPath on resource: arn:aws:ssm:eu-west-1:123456789012:parameter/greenlight/x';
    expect(quoteUpstream(denied)).toBe(denied);
    expect(quoteUpstream('The security token included in the request is invalid.')).toBe('The security token included in the request is invalid.');
    expect(quoteUpstream(`connect to https://u:${CANARIES.userinfo}@kube.example.com:6443 failed`)).toBe('connect to https://[redacted]@kube.example.com:6443 failed');
    expect(quoteUpstream(`Authorization: Bearer ${CANARIES.bearer}`)).toBe('Authorization: Bearer [redacted]');
    expect(quoteUpstream(`token k8s-aws-v1.${CANARIES.eksToken} refused`)).toBe('token k8s-aws-v1.[redacted] refused');
  });

  it('is one line of at most 300 characters plus an ellipsis, never cutting through a replacement', () => {
    const quoted = quoteUpstream(`${'word '.repeat(200)}`);
    expect(quoted.length).toBe(MAX_QUOTED_CHARS + 1);
    expect(quoted.endsWith('…')).toBe(true);
    expect(quoteUpstream('a\n  b\tc')).toBe('a b c');
    for (let pad = 280; pad < 300; pad++) {
      const cut = quoteUpstream(`${'x'.repeat(pad)} ${CANARIES.accessKey} tail ${'z'.repeat(300)}`);
      expect(cut).not.toMatch(/\[[a-z]*…$/);
      expect(leaks(cut)).toEqual([]);
    }
  });
});

describe('userinfo in URLs', () => {
  it('is found and removed for display', () => {
    expect(hasUserinfo('https://canary-user:CANARY-PASSWORD-0000@host.example.com')).toBe(true);
    expect(hasUserinfo('https://user@host.example.com')).toBe(true);
    expect(hasUserinfo('https://host.example.com/k8s/clusters/c-1')).toBe(false);
    expect(withoutUserinfo('https://canary-user:CANARY-PASSWORD-0000@host.example.com:6443/')).toBe('https://host.example.com:6443/');
    expect(withoutUserinfo('https://host.example.com')).toBe('https://host.example.com');
  });
});

describe('every place that quotes upstream text uses it', () => {
  const secretText = TEXTS.join(' | ');

  it('AWS error messages', () => {
    const sdk = Object.assign(new Error(secretText), { name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 403 } });
    const message = describeAwsFailure(sdk, { service: 'SSM', api: 'GetParametersByPath', iamAction: 'ssm:GetParametersByPath', resource: 'x', quoteAwsMessage: true }, 'cluster "a": SSM GetParametersByPath');
    expect(message).toContain('cluster "a": SSM GetParametersByPath was denied (AccessDeniedException, HTTP 403): ');
    expect(leaks(message)).toEqual([]);
  });

  it("a cluster API's Status message, error body and network error", () => {
    const status = new ApiException(500, 'Internal error', JSON.stringify({ kind: 'Status', code: 500, message: secretText }), {});
    expect(leaks(describeKubeFailure(status).detail)).toEqual([]);
    const network = Object.assign(new Error(`request to https://u:${CANARIES.userinfo}@h/version failed, reason: ${secretText}`), { code: 'ECONNREFUSED' });
    const failure = describeKubeFailure(network);
    expect(failure.kind).toBe('network');
    expect(leaks(failure.detail)).toEqual([]);
  });

  it('errors the facts cache reports that are not greenlight errors; greenlight errors stay whole', () => {
    expect(leaks(describeUpstreamError(new Error(secretText)))).toEqual([]);
    expect(leaks(describeUpstreamError(secretText))).toEqual([]);
    const own = new UpstreamError('GL_FACTS_UNAVAILABLE', `cluster "a": ${'an operator message '.repeat(30)}`);
    expect(describeUpstreamError(own)).toBe(own.message);
  });
});
