#!/usr/bin/env bun
/** The dev stage: `cdk synth --app 'bun src/bin/deploy-dev.ts'` (no AWS credentials needed). */
import { createStageApp } from '../stage.ts';

createStageApp('dev').app.synth();
