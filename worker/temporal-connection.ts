import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import { temporalConnectFailure, temporalConnectionOptions } from '../infra/temporal';
import type { TemporalEnv } from '../schemas/env';

export async function connectWorker(env: TemporalEnv): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect(temporalConnectionOptions(env) as NativeConnectionOptions);
  } catch (error) {
    throw await temporalConnectFailure(env, error);
  }
}
