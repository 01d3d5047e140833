import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { type Bucket, EventType, HttpMethods } from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { JOBS_VISIBILITY_TIMEOUT_FACTOR, type StageConfig } from '../config.ts';
import { acknowledge } from '../lib/acknowledge.ts';
import { JobsQueue } from '../lib/constructs/jobs-queue.ts';
import { S3MalwareProtection } from '../lib/constructs/malware-protection.ts';
import { SecureBucket } from '../lib/constructs/secure-s3.ts';
import { bucketRemovalPolicy } from './stack-helpers.ts';

/** Where the app keeps users' files: `users/{userId}/{fileId}`. */
export const UPLOADS_PREFIX = 'users/';

/**
 * The tag an upload carries until the app has checked it (the presigned POST sets it; the
 * app removes it on completion). An object still tagged so after the stage's
 * `pendingUploadExpiryDays` was never completed and expires.
 */
export const PENDING_UPLOAD_TAG = { key: 'upload', value: 'pending' } as const;

/** The browser origins that may call the bucket: the public URL's and the configured extras. */
export function uploadOrigins(config: Pick<StageConfig, 'publicUrl' | 'uploads'>): string[] {
  return [...new Set([new URL(config.publicUrl).origin, ...config.uploads.extraAllowedOrigins])];
}

export interface StorageStackProps extends StackProps {
  readonly config: StageConfig;
}

/**
 * Application data: the uploads bucket (with its access-log bucket) and the job queue its
 * object-created notifications go to (with the queue's dead-letter queue), side by side
 * because each names the other (the notification the queue, the queue policy the bucket).
 */
export class StorageStack extends Stack {
  readonly uploads: Bucket;
  /** Background jobs and the uploads bucket's notifications; the worker function reads it. */
  readonly jobs: Queue;
  readonly jobsDeadLetters: Queue;
  readonly malwareProtection?: S3MalwareProtection;

  constructor(scope: Construct, id: string, props: StorageStackProps) {
    super(scope, id, props);
    const { config } = props;
    const jobs = new JobsQueue(this, 'Jobs', {
      visibilityTimeout: Duration.seconds(
        config.jobs.workerTimeoutSeconds * JOBS_VISIBILITY_TIMEOUT_FACTOR,
      ),
      maxReceiveCount: config.jobs.maxReceiveCount,
    });
    this.jobs = jobs.queue;
    this.jobsDeadLetters = jobs.deadLetterQueue;

    const uploads = new SecureBucket(this, 'Uploads', {
      removalPolicy: bucketRemovalPolicy(config),
      // Browsers upload straight to the bucket (presigned POST) and fetch downloads from it.
      cors: [
        {
          allowedOrigins: uploadOrigins(config),
          allowedMethods: [HttpMethods.POST, HttpMethods.GET, HttpMethods.HEAD],
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag'],
          maxAge: 3000,
        },
      ],
      // A presigned POST is one request, complete or absent; a multipart upload (a large file
      // through the SDK) left unfinished keeps its parts, billed, until aborted.
      abortIncompleteUploadsAfterDays: 1,
      lifecycleRules: [
        {
          id: 'pending-uploads',
          prefix: UPLOADS_PREFIX,
          tagFilters: { [PENDING_UPLOAD_TAG.key]: PENDING_UPLOAD_TAG.value },
          expiration: Duration.days(config.uploads.pendingUploadExpiryDays),
        },
      ],
      eventBridgeEnabled: config.uploads.malwareProtection || undefined,
    });
    this.uploads = uploads.bucket;
    this.uploads.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(this.jobs), {
      prefix: UPLOADS_PREFIX,
    });
    // The notification configuration is written by CDK's bucket-notifications handler.
    const notificationsHandler = this.node.tryFindChild(
      'BucketNotificationsHandler050a0587b7544547bf325f094a3db834',
    );
    if (notificationsHandler) {
      acknowledge(
        notificationsHandler,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        "CDK's bucket-notifications handler writes only its own logs through the AWS managed basic execution policy.",
      );
    }

    if (config.uploads.malwareProtection) {
      this.malwareProtection = new S3MalwareProtection(this, 'UploadsMalwareProtection', {
        bucket: this.uploads,
        objectPrefixes: [UPLOADS_PREFIX],
      });
    }
  }
}
