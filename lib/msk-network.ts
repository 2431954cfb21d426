/**
 * The network path of the MSK event source. Its pollers run in the cluster's subnets with the
 * cluster's security group; from there, on-demand pollers invoke the function through Lambda and
 * STS, and a failed batch goes to the SQS failure queue. This creates the interface endpoints they
 * need in those subnets (Lambda and STS for on-demand pollers only: provisioned pollers reach them
 * on their own), and a security group that lets the cluster's group reach them on 443. With
 * `access: existing`, the VPC already reaches these services (a NAT gateway, or its own endpoints)
 * and nothing is created.
 */
import { Aws } from 'aws-cdk-lib';
import { CfnSecurityGroup, CfnVPCEndpoint } from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import type { MskNetwork } from './config';

export interface MskNetworkAccessProps {
  namePrefix: string;
  network: MskNetwork;
  /** Provisioned pollers reach Lambda and STS without endpoints. */
  provisionedPollers: boolean;
}

export class MskNetworkAccess extends Construct {
  /** The AWS services given an endpoint, by their short name. */
  readonly endpointServices: string[];

  constructor(scope: Construct, id: string, props: MskNetworkAccessProps) {
    super(scope, id);
    const { network } = props;
    if (network.access !== 'endpoints') {
      this.endpointServices = [];
      return;
    }
    this.endpointServices = props.provisionedPollers ? ['sqs'] : ['lambda', 'sts', 'sqs'];
    const group = new CfnSecurityGroup(this, 'EndpointsSecurityGroup', {
      vpcId: network.vpcId,
      groupDescription: `${props.namePrefix}: HTTPS from the MSK cluster security group to the event source endpoints`,
      securityGroupIngress: [
        { ipProtocol: 'tcp', fromPort: 443, toPort: 443, sourceSecurityGroupId: network.securityGroupId, description: 'The event source pollers' },
      ],
    });
    for (const service of this.endpointServices) {
      new CfnVPCEndpoint(this, `${service[0]!.toUpperCase()}${service.slice(1)}Endpoint`, {
        vpcId: network.vpcId,
        serviceName: `com.amazonaws.${Aws.REGION}.${service}`,
        vpcEndpointType: 'Interface',
        subnetIds: network.subnetIds,
        securityGroupIds: [group.attrGroupId],
        privateDnsEnabled: true,
      });
    }
  }
}
