import { describe, expect, test } from 'bun:test';
import { RemovalPolicy } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { STAGE_CONFIGS, STAGE_NAMES } from '../../src/config.ts';
import { stageApp, template } from '../helpers/synth.ts';

describe('StorageStack', () => {
  test('buckets are encrypted, versioned, private, logged and have lifecycle rules', () => {
    const t = template(stageApp('prod').stacks.storage);
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: Match.objectLike({ DestinationBucketName: Match.anyValue() }),
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Status: 'Enabled' })]) },
    });
  });

  test('bucket policies deny non-TLS requests', () => {
    template(stageApp('prod').stacks.storage).hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  test('buckets are kept in prod and staging, removed with a dev stack', () => {
    const policies = (stage: 'dev' | 'staging' | 'prod') =>
      new Set(
        Object.values(
          template(stageApp(stage).stacks.storage).findResources('AWS::S3::Bucket'),
        ).map((bucket) => bucket.DeletionPolicy),
      );
    expect(policies('prod')).toEqual(new Set(['Retain']));
    expect(policies('staging')).toEqual(new Set(['Retain']));
    expect(policies('dev')).toEqual(new Set(['Delete']));
  });
});

describe.each(STAGE_NAMES)('StorageStack (%s)', (stage) => {
  test('buckets whose stage destroys data are emptied on delete; the others keep theirs', () => {
    const t = template(stageApp(stage).stacks.storage);
    const destroys = STAGE_CONFIGS[stage].dataRemovalPolicy === RemovalPolicy.DESTROY;
    const buckets = Object.values(t.findResources('AWS::S3::Bucket'));
    expect(buckets.length).toBeGreaterThan(0);
    for (const bucket of buckets) {
      expect(bucket.DeletionPolicy).toBe(destroys ? 'Delete' : 'Retain');
    }
    t.resourceCountIs('Custom::S3AutoDeleteObjects', destroys ? buckets.length : 0);
  });
});
