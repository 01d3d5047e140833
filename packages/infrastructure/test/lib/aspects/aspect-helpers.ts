import { Aspects, type IAspect, type Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import type { SynthesisMessage } from 'aws-cdk-lib/cx-api';

/** Error and warning messages the aspect left on `stack`. */
export function findings(stack: Stack, aspect: IAspect): { errors: string[]; warnings: string[] } {
  Aspects.of(stack).add(aspect);
  const annotations = Annotations.fromStack(stack);
  const text = (entries: SynthesisMessage[]) => entries.map((e) => String(e.entry.data));
  return {
    errors: text(annotations.findError('*', Match.anyValue())),
    warnings: text(annotations.findWarning('*', Match.anyValue())),
  };
}
