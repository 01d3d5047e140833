import { Stack } from 'aws-cdk-lib';
import { CfnManagedPolicy, CfnPolicy, CfnRole } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

export interface ResolvedStatement {
  readonly Effect?: string;
  readonly Action?: unknown;
  readonly Resource?: unknown;
}

const asList = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [value];

/** The identity-policy statements a CloudFormation IAM resource carries, resolved. */
export function identityStatements(node: IConstruct): ResolvedStatement[] {
  const documents: unknown[] = [];
  if (node instanceof CfnPolicy || node instanceof CfnManagedPolicy)
    documents.push(node.policyDocument);
  if (node instanceof CfnRole) {
    for (const policy of asList(Stack.of(node).resolve(node.policies))) {
      documents.push((policy as { policyDocument?: unknown }).policyDocument);
    }
  }
  return documents.flatMap((document) => {
    const resolved = Stack.of(node).resolve(document) as { Statement?: unknown } | undefined;
    return asList(resolved?.Statement) as ResolvedStatement[];
  });
}

/** `*` or a whole-service wildcard such as `s3:*`. */
export function isFullWildcardAction(action: unknown): boolean {
  return typeof action === 'string' && (action === '*' || action.endsWith(':*'));
}

export function wildcardFindings(statement: ResolvedStatement): string[] {
  if (statement.Effect !== 'Allow') return [];
  const findings: string[] = [];
  for (const action of asList(statement.Action)) {
    if (isFullWildcardAction(action)) findings.push(`Action::${String(action)}`);
  }
  if (asList(statement.Resource).includes('*')) findings.push('Resource::*');
  return findings;
}
