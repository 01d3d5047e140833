import { describe, expect, test } from 'bun:test';
import { Aspects } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { TaggingAspect } from '../../../src/lib/aspects/tagging-aspect.ts';
import { testStack } from '../../helpers/synth.ts';

const props = { environment: 'dev', project: 'p', costCenter: 'c', owner: 'o' };

describe('TaggingAspect', () => {
  test('tags taggable resources with Environment, Project, CostCenter and Owner', () => {
    const stack = testStack();
    new CfnBucket(stack, 'Bucket');
    Aspects.of(stack).add(new TaggingAspect(props));
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      Tags: [
        { Key: 'CostCenter', Value: 'c' },
        { Key: 'Environment', Value: 'dev' },
        { Key: 'Owner', Value: 'o' },
        { Key: 'Project', Value: 'p' },
      ],
    });
  });

  test('an untagged resource stays untagged without the aspect, and an empty tag is refused', () => {
    const stack = testStack();
    new CfnBucket(stack, 'Bucket');
    const bucket = Object.values(Template.fromStack(stack).findResources('AWS::S3::Bucket'))[0];
    expect(bucket?.Properties?.Tags).toBeUndefined();
    expect(() => new TaggingAspect({ ...props, owner: '' })).toThrow('Tag owner needs a value');
  });
});
