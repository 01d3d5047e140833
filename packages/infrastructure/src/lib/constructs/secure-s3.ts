import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CorsRule,
  type IBucket,
  type LifecycleRule,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Marks a bucket that receives access logs (and so does not log its own access). */
export const LOG_DESTINATION_METADATA = 'house:access-log-destination';

export interface SecureBucketProps {
  /**
   * Where server access logs go.
   * @default - a new secure log bucket beside this one (unless `isLogDestination`)
   */
  readonly serverAccessLogsBucket?: IBucket;
  /**
   * Whether this bucket itself receives access logs; such a bucket does not log its own
   * access (that would loop), which is recorded in its metadata for the compliance aspect.
   * @default false - an ordinary data bucket
   */
  readonly isLogDestination?: boolean;
  /**
   * ACLs are needed only by CloudFront standard logging.
   * @default ObjectOwnership.BUCKET_OWNER_ENFORCED - ACLs disabled
   */
  readonly objectOwnership?: ObjectOwnership;
  /**
   * Days after which current objects expire; non-current versions always expire after 30 days.
   * @default - current objects never expire (log buckets: 90 days)
   */
  readonly expireAfterDays?: number;
  /**
   * Days after which multipart uploads never completed are aborted (their parts deleted).
   * @default 7
   */
  readonly abortIncompleteUploadsAfterDays?: number;
  /**
   * Lifecycle rules beside the house `housekeeping` rule.
   * @default - none
   */
  readonly lifecycleRules?: readonly LifecycleRule[];
  /**
   * CORS rules, for a bucket browsers upload to or download from directly.
   * @default - none: browsers cannot call the bucket from another origin
   */
  readonly cors?: readonly CorsRule[];
  /**
   * Send the bucket's events to Amazon EventBridge (services such as GuardDuty Malware
   * Protection turn this on themselves: declared here, a stack update keeps it on).
   * @default false
   */
  readonly eventBridgeEnabled?: boolean;
  /**
   * DESTROY also deletes the bucket's objects (every version) when the stack is deleted.
   * @default RemovalPolicy.RETAIN - data outlives its stack unless the stage says otherwise
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An S3 bucket with the house defaults: SSE-S3 encryption, versioning, all public access
 * blocked, TLS-only bucket policy (TLS 1.2+), server access logs and lifecycle rules.
 */
export class SecureBucket extends Construct {
  readonly bucket: Bucket;
  /** The bucket receiving this bucket's access logs, if this construct created it. */
  readonly accessLogsBucket?: SecureBucket;

  constructor(scope: Construct, id: string, props: SecureBucketProps = {}) {
    super(scope, id);
    if (props.isLogDestination && props.serverAccessLogsBucket) {
      throw new Error('A log destination bucket does not log its own access elsewhere');
    }
    if (props.expireAfterDays !== undefined && props.expireAfterDays < 1) {
      throw new Error('expireAfterDays must be at least 1');
    }
    if (
      props.abortIncompleteUploadsAfterDays !== undefined &&
      props.abortIncompleteUploadsAfterDays < 1
    ) {
      throw new Error('abortIncompleteUploadsAfterDays must be at least 1');
    }
    const isLogDestination = props.isLogDestination ?? false;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const expireAfterDays = props.expireAfterDays ?? (isLogDestination ? 90 : undefined);

    let logsBucket = props.serverAccessLogsBucket;
    if (!isLogDestination && !logsBucket) {
      this.accessLogsBucket = new SecureBucket(this, 'AccessLogs', {
        isLogDestination: true,
        removalPolicy,
      });
      logsBucket = this.accessLogsBucket.bucket;
    }

    const lifecycleRules: LifecycleRule[] = [
      {
        id: 'housekeeping',
        abortIncompleteMultipartUploadAfter: Duration.days(
          props.abortIncompleteUploadsAfterDays ?? 7,
        ),
        noncurrentVersionExpiration: Duration.days(30),
        ...(expireAfterDays ? { expiration: Duration.days(expireAfterDays) } : {}),
      },
      ...(props.lifecycleRules ?? []),
    ];

    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: props.objectOwnership ?? ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: logsBucket,
      serverAccessLogsPrefix: logsBucket ? `${id.toLowerCase()}/` : undefined,
      lifecycleRules,
      cors: props.cors ? [...props.cors] : undefined,
      eventBridgeEnabled: props.eventBridgeEnabled,
      removalPolicy,
      // A versioned bucket with objects cannot be deleted: DESTROY empties it first.
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    });

    if (isLogDestination) {
      // Read by the compliance aspect: a log destination does not log its own access.
      this.bucket.node.addMetadata(
        LOG_DESTINATION_METADATA,
        'receives access logs; logging itself would loop',
      );
    }
  }
}
