/**
 * @module AWS identifiers greenlight derives instead of asking for: the region of an EKS
 * cluster from its API server URL or its cluster ARN, the parts of an ARN, and the IAM OIDC
 * provider ARN that IRSA trust policies name. Pure string functions, shared by the EKS and SSM
 * adapters.
 */

/** An AWS region name such as `eu-west-1`, `us-gov-west-1` or `cn-north-1`. */
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

/**
 * The region of an Argo CD cluster Secret's server: an EKS API server URL
 * (`https://<id>.gr7.<region>.eks.amazonaws.com`, also `.eks.amazonaws.com.cn`), or an EKS
 * cluster ARN (the EKS-managed Argo CD's form); `undefined` when it is neither.
 *
 * @example regionFromServer('https://ABC.gr7.eu-west-1.eks.amazonaws.com') // 'eu-west-1'
 * @example regionFromServer('arn:aws:eks:eu-west-1:111122223333:cluster/prod') // 'eu-west-1'
 */
export function regionFromServer(server: string): string | undefined {
  if (server.startsWith('arn:')) return readEksClusterArn(server).arn?.region;
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
  // An ARN names no host: its cluster is compared by ARN (the DescribeCluster answer's `arn`).
  if (server.startsWith('arn:') || regionFromServer(server) === undefined) return false;
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

/** The partitions EKS runs in, and how their region names begin. */
const EKS_PARTITIONS = {
  aws: (region: string) => !region.startsWith('cn-') && !region.startsWith('us-gov-'),
  'aws-cn': (region: string) => region.startsWith('cn-'),
  'aws-us-gov': (region: string) => region.startsWith('us-gov-'),
} as const satisfies Record<string, (region: string) => boolean>;

/** An EKS cluster ARN, `arn:<partition>:eks:<region>:<account>:cluster/<name>`, read. */
export interface EksClusterArn {
  /** The ARN as written. */
  readonly arn: string;
  readonly partition: keyof typeof EKS_PARTITIONS;
  readonly region: string;
  readonly accountId: string;
  /** The EKS cluster name (1–100 characters: letters, digits, `-` and `_`, starting with a letter or digit). */
  readonly name: string;
}

/** EKS's own rule for cluster names (CreateCluster: `^[0-9A-Za-z][A-Za-z0-9\-_]*`, at most 100). */
const EKS_CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;

/**
 * Reads an EKS cluster ARN strictly: partition `aws`, `aws-cn` or `aws-us-gov` with a region of
 * that partition, a 12-digit account and a valid cluster name, nothing else (no path, no
 * spaces). Either the parts, or the reason it is not one, in words for a message.
 *
 * @example readEksClusterArn('arn:aws:eks:eu-west-1:111122223333:cluster/prod').arn?.name // 'prod'
 */
export function readEksClusterArn(value: string): { readonly arn: EksClusterArn; readonly problem?: undefined } | { readonly arn?: undefined; readonly problem: string } {
  const parts = value.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn') return { problem: 'it is not of the form arn:PARTITION:eks:REGION:ACCOUNT:cluster/NAME' };
  const [, partition = '', service = '', region = '', accountId = '', resource = ''] = parts;
  if (!Object.hasOwn(EKS_PARTITIONS, partition)) return { problem: `its partition "${partition}" is not aws, aws-cn or aws-us-gov` };
  if (service !== 'eks') return { problem: `its service "${service}" is not eks` };
  if (!REGION.test(region)) return { problem: `its region "${region}" is not an AWS region name such as eu-west-1` };
  const inPartition = EKS_PARTITIONS[partition as keyof typeof EKS_PARTITIONS];
  if (!inPartition(region)) return { problem: `its region "${region}" is not in partition ${partition}` };
  if (!/^\d{12}$/.test(accountId)) return { problem: `its account "${accountId}" is not a 12-digit AWS account ID` };
  if (!resource.startsWith('cluster/')) return { problem: 'it does not name a cluster (cluster/NAME)' };
  const name = resource.slice('cluster/'.length);
  if (!EKS_CLUSTER_NAME.test(name)) return { problem: `its cluster name "${name}" is not an EKS cluster name (1-100 letters, digits, - and _, starting with a letter or digit)` };
  return { arn: { arn: value, partition: partition as keyof typeof EKS_PARTITIONS, region, accountId, name } };
}
