import { fileURLToPath } from 'node:url';
import { Duration, Stack } from 'aws-cdk-lib';
import { CompositePrincipal, ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type IVersion, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.ts';
import { LAMBDA_EDGE_METADATA } from '../aspects/monitoring-aspect.ts';
import { assertLocalEsbuild, HANDLER_BUNDLE, REPO_LOCK_FILE, REPO_ROOT } from './secure-lambda.ts';

/** Lambda@Edge functions are created in us-east-1 and replicated to the edge locations. */
export const LAMBDA_EDGE_REGION = 'us-east-1';

export interface OriginRequestSignerProps {
  /**
   * @default 256 - hashing a 1 MB body takes a few milliseconds at this size
   */
  readonly memorySize?: number;
  /**
   * @default Duration.seconds(5) - an origin-request function may run 30 s; hashing needs far less
   */
  readonly timeout?: Duration;
}

/**
 * The Lambda@Edge origin-request function that puts the body's SHA-256 in
 * `x-amz-content-sha256` (`../edge/sign-body.handler.ts`), so CloudFront's Origin Access
 * Control can sign POST and PUT requests to an `AWS_IAM` Function URL.
 *
 * Not a `SecureLambda`: Lambda@Edge allows no environment variables, no VPC, no X-Ray active
 * tracing, no log group of our choosing (it logs in each edge region) and x86_64 only.
 */
export class OriginRequestSigner extends Construct {
  readonly function: NodejsFunction;
  /** The published version CloudFront associates (Lambda@Edge never runs `$LATEST`). */
  readonly version: IVersion;

  constructor(scope: Construct, id: string, props: OriginRequestSignerProps = {}) {
    super(scope, id);
    if (Stack.of(this).region !== LAMBDA_EDGE_REGION) {
      throw new Error(`Lambda@Edge functions must be created in ${LAMBDA_EDGE_REGION}`);
    }
    assertLocalEsbuild();
    const role = new Role(this, 'Role', {
      description: 'Lambda@Edge origin-request signer: writes its own logs, nothing else',
      assumedBy: new CompositePrincipal(
        new ServicePrincipal('lambda.amazonaws.com'),
        new ServicePrincipal('edgelambda.amazonaws.com'),
      ),
      managedPolicies: [
        ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole'),
      ],
    });
    acknowledge(
      role,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'Lambda@Edge writes logs to /aws/lambda/us-east-1.<name> in whichever region runs it; the managed basic execution policy grants exactly that.',
    );

    this.function = new NodejsFunction(this, 'Function', {
      entry: fileURLToPath(new URL('../edge/sign-body.handler.ts', import.meta.url)),
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.X86_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(5),
      description: 'Adds x-amz-content-sha256 to origin requests (CloudFront OAC signing)',
      role,
      depsLockFilePath: REPO_LOCK_FILE,
      projectRoot: REPO_ROOT,
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: HANDLER_BUNDLE.target,
        minify: true,
        sourceMap: false,
        mainFields: [...HANDLER_BUNDLE.mainFields],
        banner: HANDLER_BUNDLE.banner,
        externalModules: [...HANDLER_BUNDLE.externals],
      },
    });
    this.version = this.function.currentVersion;
    // Read by the monitoring aspect: no log group or Errors alarm of its own can exist.
    this.function.node.addMetadata(
      LAMBDA_EDGE_METADATA,
      'logs in each edge region; alarmed through CloudFront LambdaExecutionError',
    );

    const runtimeReason =
      'Node.js 22 is the runtime the project is built and tested for; Lambda@Edge runs the same, and moving on is a tested change.';
    acknowledge(this.function, 'AwsSolutions-L1', runtimeReason);
    acknowledge(this.function, 'Serverless-LambdaLatestVersion', runtimeReason);
    acknowledge(
      this.function,
      'Serverless-LambdaDLQ',
      'CloudFront invokes Lambda@Edge synchronously for each origin request; a failure is the viewer’s 5xx, there is no event to keep.',
    );
    acknowledge(
      this.function,
      'Serverless-LambdaTracing',
      'Lambda@Edge does not support X-Ray active tracing; CloudFront logs and the function’s regional logs cover it.',
    );
  }
}
