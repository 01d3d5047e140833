import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config.ts';
import { SecureBucket } from '../lib/constructs/secure-s3.ts';
import { bucketRemovalPolicy } from './stack-helpers.ts';

export interface StorageStackProps extends StackProps {
  readonly config: StageConfig;
}

/** Application data buckets (with their access-log bucket). */
export class StorageStack extends Stack {
  readonly uploads: Bucket;

  constructor(scope: Construct, id: string, props: StorageStackProps) {
    super(scope, id, props);
    const uploads = new SecureBucket(this, 'Uploads', {
      removalPolicy: bucketRemovalPolicy(props.config),
    });
    this.uploads = uploads.bucket;
  }
}
