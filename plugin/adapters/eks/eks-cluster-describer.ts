/**
 * @module What registering an EKS cluster in Argo CD needs from EKS: its endpoint, CA, ARN and
 * version (DescribeCluster), read with the operator's own AWS identity.
 */
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { z } from 'zod';
import { describeAwsFailure } from '../aws/aws-errors.js';
import { parseArn } from '../aws/aws-identifiers.js';

const answer = z.object({
  cluster: z.object({
    name: z.string().min(1),
    arn: z.string().min(1),
    version: z.string().min(1),
    endpoint: z.url({ message: 'has no endpoint yet (is the cluster still being created?)' }),
    certificateAuthority: z.object({ data: z.string().min(1) }, { message: 'has no certificate authority yet' }),
    status: z.string().optional(),
    resourcesVpcConfig: z.object({ vpcId: z.string().optional() }).optional(),
    accessConfig: z.object({ authenticationMode: z.string().optional() }).optional(),
    tags: z.record(z.string(), z.string()).optional(),
  }),
});

/** An EKS cluster as `greenlight register` needs it. */
export interface EksClusterRegistration {
  readonly name: string;
  readonly arn: string;
  readonly accountId: string;
  readonly region: string;
  readonly endpoint: string;
  /** base64 of the CA's PEM: what Argo CD's tlsClientConfig.caData holds. */
  readonly caData: string;
  readonly version: string;
  readonly status: string | undefined;
  readonly vpcId: string | undefined;
  readonly authenticationMode: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
}

export class EksClusterDescriber {
  constructor(private readonly clientFor: (region: string) => EKSClient) {}

  static fromConfig(config: { credentials?: AwsCredentialIdentityProvider; endpoint?: string } = {}): EksClusterDescriber {
    return new EksClusterDescriber(
      (region) =>
        new EKSClient({
          region,
          ...(config.credentials ? { credentials: config.credentials } : {}),
          ...(config.endpoint !== undefined ? { endpoint: config.endpoint } : {}),
        }),
    );
  }

  /** Rejects with an `Error` that names the cluster, the region and what to do. */
  async describe(name: string, region: string): Promise<EksClusterRegistration> {
    const subject = `EKS DescribeCluster of "${name}" in ${region}`;
    let raw: unknown;
    try {
      raw = await this.clientFor(region).send(new DescribeClusterCommand({ name }));
    } catch (err) {
      throw new Error(
        describeAwsFailure(
          err,
          {
            service: 'EKS',
            api: 'DescribeCluster',
            iamAction: 'eks:DescribeCluster',
            resource: `cluster "${name}" in ${region}`,
            accessDeniedAdvice: `Run greenlight register with an AWS identity allowed eks:DescribeCluster on cluster "${name}"`,
            notFoundAdvice: `There is no EKS cluster "${name}" in ${region}: check the name and --region`,
            quoteAwsMessage: true,
          },
          subject,
        ),
        { cause: err },
      );
    }
    const parsed = answer.safeParse(raw);
    if (!parsed.success) throw new Error(`${subject}: the cluster ${parsed.error.issues[0]?.message ?? 'answer is not usable'}`);
    const c = parsed.data.cluster;
    return {
      name: c.name,
      arn: c.arn,
      accountId: parseArn(c.arn)?.accountId ?? '',
      region,
      endpoint: c.endpoint,
      caData: c.certificateAuthority.data,
      version: c.version,
      status: c.status,
      vpcId: c.resourcesVpcConfig?.vpcId,
      authenticationMode: c.accessConfig?.authenticationMode,
      tags: c.tags ?? {},
    };
  }
}
