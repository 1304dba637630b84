/**
 * @module AWS identifiers greenlight derives instead of asking for: the region of an EKS
 * cluster from its API server URL, the parts of an ARN, and the IAM OIDC provider ARN that
 * IRSA trust policies name. Pure string functions, shared by the EKS and SSM adapters.
 */

/** An AWS region name such as `eu-west-1`, `us-gov-west-1` or `cn-north-1`. */
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

/**
 * The region of an EKS API server URL (`https://<id>.gr7.<region>.eks.amazonaws.com`, also
 * `.eks.amazonaws.com.cn`), or `undefined` when the URL is not an EKS endpoint.
 *
 * @example regionFromServer('https://ABC.gr7.eu-west-1.eks.amazonaws.com') // 'eu-west-1'
 */
export function regionFromServer(server: string): string | undefined {
  let host: string;
  try {
    host = new URL(server).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  const labels = host.split('.');
  const eks = labels.lastIndexOf('eks');
  // The region is the label right before "eks.amazonaws.com[.cn]".
  if (eks < 1 || labels[eks + 1] !== 'amazonaws' || labels[eks + 2] !== 'com') return undefined;
  if (labels.length > eks + 4 || (labels.length === eks + 4 && labels[eks + 3] !== 'cn')) return undefined;
  const region = labels[eks - 1] ?? '';
  return REGION.test(region) ? region : undefined;
}

/**
 * Whether an Argo CD cluster Secret's server URL and an EKS cluster's endpoint name different
 * API servers: `true` only when the server is an EKS endpoint URL whose host is not the
 * endpoint's (hosts compared without case; port and path ignored). A server behind another DNS
 * name cannot be compared and gives `false`.
 *
 * @example eksEndpointDiffers('https://abc.gr7.eu-west-1.eks.amazonaws.com', 'https://ABC.gr7.eu-west-1.eks.amazonaws.com') // false
 */
export function eksEndpointDiffers(server: string, endpoint: string): boolean {
  if (regionFromServer(server) === undefined) return false;
  const host = (url: string) => {
    try {
      return new URL(url).hostname.toLowerCase();
    } catch {
      return url.toLowerCase();
    }
  };
  return host(server) !== host(endpoint);
}

/** Whether `value` looks like an AWS region name. */
export function isRegion(value: string): boolean {
  return REGION.test(value);
}

/** The parts of an ARN (`arn:<partition>:<service>:<region>:<account>:<resource>`). */
export interface ParsedArn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly accountId: string;
  readonly resource: string;
}

/** Splits an ARN; `undefined` when it is not one (or has no 12-digit account). */
export function parseArn(arn: string): ParsedArn | undefined {
  const match = /^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):(\d{12}):(.+)$/.exec(arn);
  if (!match) return undefined;
  const [, partition, service, region, accountId, resource] = match as unknown as [string, string, string, string, string, string];
  return { partition, service, region, accountId, resource };
}

/** The account of an IAM role ARN (`arn:aws:iam::123456789012:role/name`), or `undefined`. */
export function accountOfRole(roleArn: string): string | undefined {
  const arn = parseArn(roleArn);
  return arn && arn.service === 'iam' && arn.resource.startsWith('role/') ? arn.accountId : undefined;
}

/**
 * The IAM OIDC identity provider ARN for an EKS cluster's issuer, as IRSA trust policies name it:
 * `arn:<partition>:iam::<account>:oidc-provider/<issuer without https://>`.
 */
export function oidcProviderArn(partition: string, accountId: string, issuer: string): string {
  return `arn:${partition}:iam::${accountId}:oidc-provider/${issuer.replace(/^https:\/\//, '').replace(/\/$/, '')}`;
}
