/**
 * One place to record a cdk-nag acknowledgement, so every acknowledgement names its
 * finding id exactly, sits on the resource it concerns and carries a specific reason.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { IConstruct } from 'constructs';

/** Metadata key under which CDK stores acknowledgements (`Validations.acknowledge`). */
export const ACKNOWLEDGED_RULES_METADATA_KEY = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;

/**
 * Acknowledges one nag finding on `scope` (a resource or the construct that owns it).
 * @param id the finding id exactly as reported, e.g. `AwsSolutions-IAM5[Resource::*]`
 * @param reason why the finding is accepted here
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (reason.trim().length < 20) {
    throw new Error(`Acknowledgement of ${id} on ${scope.node.path} needs a specific reason`);
  }
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * Acknowledges cdk-nag's `AwsSolutions-IAM5` finding for one wildcard resource of `scope`'s
 * policy whose ARN is known only once cross-stack references are resolved (an object pattern
 * in a bucket another stack owns): the finding id is flattened as cdk-nag flattens it, when
 * the tree is validated, after the references are resolved.
 * @param resource the statement's resource, e.g. `bucket.arnForObjects('users/*')`
 */
export function acknowledgeWildcardResource(
  scope: IConstruct,
  resource: string,
  reason: string,
): void {
  scope.node.addValidation({
    validate: () => {
      const flat = flattenCfnReference(Stack.of(scope).resolve(resource));
      acknowledge(scope, `AwsSolutions-IAM5[Resource::${flat}]`, reason);
      return [];
    },
  });
}

/** Ids acknowledged on `scope` itself or any of its ancestors. */
export function acknowledgedIds(scope: IConstruct): string[] {
  const ids: string[] = [];
  for (let current: IConstruct | undefined = scope; current; current = current.node.scope) {
    for (const entry of current.node.metadata) {
      if (entry.type === ACKNOWLEDGED_RULES_METADATA_KEY && entry.data) {
        ids.push(
          ...Object.keys(entry.data as Record<string, string>).map((k) =>
            k.replace(/^annotation::/i, ''),
          ),
        );
      }
    }
  }
  return ids;
}

/** Every cdk-nag acknowledgement under `root`: one entry per (construct, id). */
export function listAcknowledgements(
  root: IConstruct,
): { path: string; id: string; reason: string }[] {
  const found: { path: string; id: string; reason: string }[] = [];
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type === ACKNOWLEDGED_RULES_METADATA_KEY && entry.data) {
        for (const [key, reason] of Object.entries(entry.data as Record<string, string>)) {
          // aws-cdk-lib acknowledges some of its own template checks; only nag findings count here.
          if (!/^(annotation::)?(AwsSolutions|Serverless)-/i.test(key)) continue;
          found.push({ path: construct.node.path, id: key.replace(/^annotation::/i, ''), reason });
        }
      }
    }
  }
  return found;
}
