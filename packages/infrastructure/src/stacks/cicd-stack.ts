import { Aws, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import {
  type IOidcProvider,
  OidcProviderNative,
  PolicyDocument,
  PolicyStatement,
  Role,
  WebIdentityPrincipal,
} from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { EDGE_REGION, type StageConfig } from '../config.ts';

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';
/** The CDK bootstrap roles a deployment assumes, and nothing else. */
export const BOOTSTRAP_ROLE_KINDS = [
  'deploy',
  'file-publishing',
  'image-publishing',
  'lookup',
] as const;

/** The API function and its CodeDeploy release names of a stage (fixed, so CI can name them). */
export function releaseNames(config: Pick<StageConfig, 'project' | 'stage'>) {
  const prefix = `${config.project}-${config.stage}`;
  return {
    functionName: `${prefix}-api`,
    applicationName: `${prefix}-api`,
    deploymentGroupName: `${prefix}-api-live`,
  };
}

export interface CicdStackProps extends StackProps {
  readonly config: StageConfig;
}

/**
 * GitHub Actions deploys through OIDC: one role per stage, trusted only for this
 * repository's protected branch or environment, allowed to assume the CDK bootstrap roles
 * (which carry the real deployment permissions) and to roll the `live` alias back through
 * the stage's CodeDeploy deployment group.
 */
export class CicdStack extends Stack {
  readonly deployRole: Role;
  readonly provider: IOidcProvider;

  constructor(scope: Construct, id: string, props: CicdStackProps) {
    super(scope, id, props);
    const { config } = props;
    const { subject } = config.github;
    if (subject.includes('*')) throw new Error('The deploy role never trusts a wildcard subject');

    this.provider = config.features.createGithubOidcProvider
      ? new OidcProviderNative(this, 'GithubOidc', {
          url: `https://${GITHUB_OIDC_HOST}`,
          clientIds: [GITHUB_OIDC_AUDIENCE],
        })
      : OidcProviderNative.fromOidcProviderArn(
          this,
          'GithubOidc',
          `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:oidc-provider/${GITHUB_OIDC_HOST}`,
        );

    const release = releaseNames(config);
    const arn = (service: string, resource: string) =>
      `arn:${Aws.PARTITION}:${service}:${config.region}:${Aws.ACCOUNT_ID}:${resource}`;
    const bootstrapRoleArns = [config.region, EDGE_REGION].flatMap((region) =>
      BOOTSTRAP_ROLE_KINDS.map(
        (kind) =>
          `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/cdk-${config.bootstrapQualifier}-${kind}-role-${Aws.ACCOUNT_ID}-${region}`,
      ),
    );

    this.deployRole = new Role(this, 'GithubDeployRole', {
      roleName: `${config.project}-${config.stage}-github-deploy`,
      description: `GitHub Actions deploy role for ${config.stage} (${subject})`,
      maxSessionDuration: Duration.hours(1),
      assumedBy: new WebIdentityPrincipal(this.provider.oidcProviderArn, {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
          [`${GITHUB_OIDC_HOST}:sub`]: subject,
        },
      }),
      inlinePolicies: {
        AssumeCdkBootstrapRoles: new PolicyDocument({
          statements: [
            new PolicyStatement({
              actions: ['sts:AssumeRole', 'sts:TagSession'],
              resources: [...new Set(bootstrapRoleArns)],
            }),
          ],
        }),
        // The workflow's rollback: read which version `live` points at, and ask CodeDeploy to
        // shift it back, through this stage's deployment group only.
        RollBackTheLiveAlias: new PolicyDocument({
          statements: [
            new PolicyStatement({
              actions: ['lambda:GetAlias'],
              resources: [
                arn('lambda', `function:${release.functionName}`),
                arn('lambda', `function:${release.functionName}:live`),
              ],
            }),
            new PolicyStatement({
              actions: ['codedeploy:CreateDeployment', 'codedeploy:GetDeployment'],
              resources: [
                arn(
                  'codedeploy',
                  `deploymentgroup:${release.applicationName}/${release.deploymentGroupName}`,
                ),
              ],
            }),
            new PolicyStatement({
              actions: [
                'codedeploy:GetApplicationRevision',
                'codedeploy:RegisterApplicationRevision',
              ],
              resources: [arn('codedeploy', `application:${release.applicationName}`)],
            }),
            new PolicyStatement({
              actions: ['codedeploy:GetDeploymentConfig'],
              // A rollback shifts all at once; the group's own config is read to start it.
              resources: [
                arn('codedeploy', 'deploymentconfig:CodeDeployDefault.LambdaAllAtOnce'),
                arn(
                  'codedeploy',
                  'deploymentconfig:CodeDeployDefault.LambdaCanary10Percent5Minutes',
                ),
              ],
            }),
          ],
        }),
      },
    });
    new CfnOutput(this, 'DeployRoleArn', { value: this.deployRole.roleArn });
  }
}
