import { describe, expect, test } from 'bun:test';
import { Architecture, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CostAspect } from '../../../src/lib/aspects/cost-aspect.ts';
import { testStack } from '../../helpers/synth.ts';
import { findings } from './aspect-helpers.ts';

const fn = (architecture: Architecture, memorySize: number) => ({
  runtime: Runtime.NODEJS_22_X,
  handler: 'index.handler',
  code: Code.fromInline('export const handler = () => {}'),
  architecture,
  memorySize,
});

describe('CostAspect', () => {
  test('an ARM64 function of modest memory and a log group with retention get no hint', () => {
    const stack = testStack();
    new LambdaFunction(stack, 'Fn', fn(Architecture.ARM_64, 1024));
    new LogGroup(stack, 'Logs', { retention: RetentionDays.ONE_WEEK });
    expect(
      findings(stack, new CostAspect({ stage: 'dev' })).warnings.filter((w) =>
        w.includes('CostAspect'),
      ),
    ).toEqual([]);
  });

  test('x86, oversized memory and infinite retention get right-sizing warnings, never errors', () => {
    const stack = testStack();
    new LambdaFunction(stack, 'Fn', fn(Architecture.X86_64, 4096));
    new LogGroup(stack, 'Logs', { retention: RetentionDays.INFINITE });
    const result = findings(stack, new CostAspect({ stage: 'dev' }));
    const text = result.warnings.join();
    expect(text).toContain('arm64 costs about 20% less');
    expect(text).toContain('Lambda Power Tuning');
    expect(text).toContain('set a retention');
    expect(result.errors).toEqual([]);
  });
});
