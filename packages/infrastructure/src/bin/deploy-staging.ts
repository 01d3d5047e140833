#!/usr/bin/env bun
/** The staging stage: `cdk synth --app 'bun src/bin/deploy-staging.ts'` (no AWS credentials needed). */
import { createStageApp } from '../stage.ts';

createStageApp('staging').app.synth();
