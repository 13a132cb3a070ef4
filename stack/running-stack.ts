import fs from 'node:fs';
import { isCodecServerUp } from './codec-server-process';
import { isS3Live } from './s3-server';
import { isSimulatorUp } from './simulator-process';
import { readStackEnv, stackEnvKeys, type StackEnv } from '../infra/stack-env';
import { temporalConnectionOptions } from '../infra/temporal';
import { parseEnv, temporalEnvSchema } from '../schemas/env';
import { isTemporalReady } from './temporal-health';
import { stackSearchAttributes } from './temporal-server';

/**
 * The env of a stack that is already up: `stackEnvFile` exists, is complete,
 * and Temporal, S3, the simulator and the codec server all answer. Otherwise undefined.
 * An external Runway endpoint (RUNWAYML_BASE_URL set to the same URL) is not probed.
 */
export async function findRunningStack(stackEnvFile: string, env: NodeJS.ProcessEnv = process.env): Promise<StackEnv | undefined> {
  const stackEnv = readCompleteStackEnv(stackEnvFile);
  if (!stackEnv) return undefined;
  const runwayIsExternal = env.RUNWAYML_BASE_URL === stackEnv.RUNWAYML_BASE_URL;
  // A topology with mTLS answers only the certificate its stack.env names.
  const { tls } = temporalConnectionOptions(parseEnv(temporalEnvSchema, stackEnv));
  const [temporalUp, s3Up, runwayUp, codecUp] = await Promise.all([
    isTemporalReady({
      address: stackEnv.TEMPORAL_ADDRESS,
      namespace: stackEnv.TEMPORAL_NAMESPACE,
      searchAttributes: stackSearchAttributes,
      ...(tls ? { tls } : {}),
    }).catch(() => false),
    isS3Live(stackEnv.S3_ENDPOINT),
    runwayIsExternal || isSimulatorUp(stackEnv.RUNWAYML_BASE_URL),
    isCodecServerUp(stackEnv.CODEC_SERVER_URL),
  ]);
  return temporalUp && s3Up && runwayUp && codecUp ? stackEnv : undefined;
}

function readCompleteStackEnv(stackEnvFile: string): StackEnv | undefined {
  if (!fs.existsSync(stackEnvFile)) return undefined;
  const values = readStackEnv(stackEnvFile);
  if (!stackEnvKeys.every((key) => typeof values[key] === 'string' && values[key] !== '')) return undefined;
  return values as StackEnv;
}
