/**
 * The composition root of one stage: resolves its configuration, creates the stacks in
 * dependency order (VPC → data → API → edge → monitoring, CI/CD beside), applies the
 * aspects and registers the cdk-nag packs. The `bin/` entries call this and synthesize.
 */
import { MIGRATIONS_FOLDER } from '@backend/shared/migrations';
import { App, type AppProps, AspectPriority, Aspects, Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { DEPLOY_BOUNDARY_NAME, EDGE_REGION, type StageConfig, type StageName } from './config.ts';
import { resolveConfig } from './deployment-context.ts';
import { BackupAspect } from './lib/aspects/backup-aspect.ts';
import { ComplianceAspect } from './lib/aspects/compliance-aspect.ts';
import { CostAspect } from './lib/aspects/cost-aspect.ts';
import { MonitoringAspect } from './lib/aspects/monitoring-aspect.ts';
import { SecurityAspect } from './lib/aspects/security-aspect.ts';
import { TaggingAspect } from './lib/aspects/tagging-aspect.ts';
import { ApiStack } from './stacks/api-stack.ts';
import { CacheStack } from './stacks/cache-stack.ts';
import { CicdStack } from './stacks/cicd-stack.ts';
import { DatabaseStack } from './stacks/database-stack.ts';
import { EdgeGlobalStack, webAclName } from './stacks/edge-global-stack.ts';
import { EdgeMonitoringStack } from './stacks/edge-monitoring-stack.ts';
import { EdgeStack } from './stacks/edge-stack.ts';
import { MonitoringStack } from './stacks/monitoring-stack.ts';
import { NetworkStack } from './stacks/network-stack.ts';
import { StorageStack } from './stacks/storage-stack.ts';

export interface StageStacks {
  readonly network: NetworkStack;
  readonly database: DatabaseStack;
  readonly cache: CacheStack;
  readonly storage: StorageStack;
  readonly api: ApiStack;
  readonly edgeGlobal: EdgeGlobalStack;
  readonly edge: EdgeStack;
  readonly monitoring: MonitoringStack;
  /** Alarms on us-east-1 metrics (CloudFront, Lambda@Edge, WAF). */
  readonly edgeMonitoring: EdgeMonitoringStack;
  readonly cicd: CicdStack;
}

export interface StageApp {
  readonly app: App;
  readonly config: StageConfig;
  readonly stacks: StageStacks;
}

export interface CreateStageAppOptions extends AppProps {
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** @default the committed drizzle-kit migrations of packages/shared */
  readonly migrationsFolder?: string;
}

/** Feature flags this app is written for (also in cdk.json, for the CLI). */
export const APP_CONTEXT: Readonly<Record<string, unknown>> = {
  '@aws-cdk/core:aspectStabilization': true,
  '@aws-cdk/aws-lambda-nodejs:sdkV3ExcludeSmithyPackages': true,
  '@aws-cdk/aws-iam:minimizePolicies': true,
  '@aws-cdk/core:enablePartitionLiterals': true,
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  '@aws-cdk/core:defaultCrossStackReferences': 'strong',
  // Every role the stacks create carries the deploy boundary (bootstrap/permissions-boundary.json):
  // the least-privilege execution role may create roles only with it.
  '@aws-cdk/core:permissionsBoundary': { name: DEPLOY_BOUNDARY_NAME },
};

function stackName(config: StageConfig, part: string): string {
  const stage = config.stage.charAt(0).toUpperCase() + config.stage.slice(1);
  return `HonoAiBackend-${stage}-${part}`;
}

export function createStacks(app: App, config: StageConfig, migrationsFolder: string): StageStacks {
  const env = { account: config.account, region: config.region };
  const common = (part: string) => ({ env, config, stackName: stackName(config, part) });

  const network = new NetworkStack(app, stackName(config, 'Network'), common('Network'));
  const database = new DatabaseStack(app, stackName(config, 'Database'), {
    ...common('Database'),
    vpc: network.vpc,
    apiSecurityGroup: network.apiSecurityGroup,
    migrationsFolder,
  });
  const cache = new CacheStack(app, stackName(config, 'Cache'), {
    ...common('Cache'),
    vpc: network.vpc,
    apiSecurityGroup: network.apiSecurityGroup,
  });
  const storage = new StorageStack(app, stackName(config, 'Storage'), common('Storage'));
  const api = new ApiStack(app, stackName(config, 'Api'), {
    ...common('Api'),
    vpc: network.vpc,
    apiSecurityGroup: network.apiSecurityGroup,
    database: {
      host: database.database.writerHost,
      readerHost: database.database.readerHost,
      name: database.database.databaseName,
      // The least-privilege application role; the owner's secret stays with the migrations.
      secret: database.appSecret,
    },
    cache: { host: cache.host, port: cache.port, authSecret: cache.authSecret },
    jobs: storage.jobs,
    uploads: storage.uploads,
  });
  const edgeGlobal = new EdgeGlobalStack(app, stackName(config, 'EdgeGlobal'), {
    ...common('EdgeGlobal'),
    env: { account: config.account, region: EDGE_REGION },
  });
  const edge = new EdgeStack(app, stackName(config, 'Edge'), {
    ...common('Edge'),
    functionUrl: api.functionUrl,
    originVerifySecret: api.originVerifySecret,
    originRequestSigner: edgeGlobal.originRequestSigner.version,
    webAclArn: edgeGlobal.webAcl.attrArn,
    certificate: edgeGlobal.certificate,
  });
  const jobFunctions: Record<string, IFunction> = {
    Migration: database.migration.handler.function,
  };
  if (database.seed) jobFunctions.Seed = database.seed.handler.function;
  if (cache.warming) jobFunctions.CacheWarming = cache.warming.handler.function;
  const monitoring = new MonitoringStack(app, stackName(config, 'Monitoring'), {
    ...common('Monitoring'),
    apiFunction: api.function,
    apiAlias: api.alias,
    apiLogGroup: api.logGroup,
    jobFunctions,
    jobs: {
      queue: storage.jobs,
      deadLetterQueue: storage.jobsDeadLetters,
      worker: api.worker,
    },
    cluster: database.database.cluster,
    proxyName: database.database.proxy.dbProxyName,
    cacheNodeIds: cache.nodeIds,
    webAclName: webAclName(config),
    sesConfigurationSetName: api.email.configurationSet.configurationSetName,
    rotatedSecretArns: [database.secret.secretArn, database.appSecret.secretArn],
  });
  const edgeMonitoring = new EdgeMonitoringStack(app, stackName(config, 'EdgeMonitoring'), {
    ...common('EdgeMonitoring'),
    env: { account: config.account, region: EDGE_REGION },
    distributionId: edge.distribution.distributionId,
    webAclName: webAclName(config),
  });
  const cicd = new CicdStack(app, stackName(config, 'Cicd'), common('Cicd'));
  return {
    network,
    database,
    cache,
    storage,
    api,
    edgeGlobal,
    edge,
    monitoring,
    edgeMonitoring,
    cicd,
  };
}

/** Applies the house aspects; they are part of every stage, never optional. */
export function applyAspects(app: App, config: StageConfig): void {
  const aspects = Aspects.of(app);
  aspects.add(
    new TaggingAspect({
      environment: config.stage,
      project: config.project,
      costCenter: config.tags.costCenter,
      owner: config.tags.owner,
    }),
    { priority: AspectPriority.MUTATING },
  );
  aspects.add(new BackupAspect({ stage: config.stage }), { priority: AspectPriority.MUTATING });
  aspects.add(new SecurityAspect(), { priority: AspectPriority.READONLY });
  aspects.add(new ComplianceAspect(), { priority: AspectPriority.READONLY });
  aspects.add(new MonitoringAspect(), { priority: AspectPriority.READONLY });
  aspects.add(new CostAspect({ stage: config.stage }), { priority: AspectPriority.READONLY });
}

/** Registers the cdk-nag packs: synthesis fails on an unacknowledged error. */
export function registerNagPacks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
}

/** One stage's app, ready to synthesize. */
export function createStageApp(stage: StageName, options: CreateStageAppOptions = {}): StageApp {
  const { env = process.env, migrationsFolder = MIGRATIONS_FOLDER, ...appProps } = options;
  const app = new App({ ...appProps, context: { ...APP_CONTEXT, ...appProps.context } });
  const config = resolveConfig(stage, { env, context: (key) => app.node.tryGetContext(key) });
  const stacks = createStacks(app, config, migrationsFolder);
  applyAspects(app, config);
  registerNagPacks(app);
  return { app, config, stacks };
}
