import { type IAspect, TagManager } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export interface TaggingAspectProps {
  readonly environment: string;
  readonly project: string;
  readonly costCenter: string;
  readonly owner: string;
}

/** Tags every taggable resource with Environment, Project, CostCenter and Owner. */
export class TaggingAspect implements IAspect {
  private readonly tags: Readonly<Record<string, string>>;

  constructor(props: TaggingAspectProps) {
    for (const [key, value] of Object.entries(props)) {
      if (!value) throw new Error(`Tag ${key} needs a value`);
    }
    this.tags = {
      Environment: props.environment,
      Project: props.project,
      CostCenter: props.costCenter,
      Owner: props.owner,
    };
  }

  visit(node: IConstruct): void {
    if (!TagManager.isTaggable(node)) return;
    for (const [key, value] of Object.entries(this.tags)) {
      node.tags.setTag(key, value, 100, true);
    }
  }
}
