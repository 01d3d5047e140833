#!/usr/bin/env bun
/** The prod stage: `cdk synth --app 'bun src/bin/deploy-prod.ts'` (no AWS credentials needed). */
import { createStageApp } from '../stage.ts';

createStageApp('prod').app.synth();
