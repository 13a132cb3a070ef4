import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import { temporalConnectionOptions } from '../infra/temporal';
import type { TemporalEnv } from '../schemas/env';

export function connectWorker(env: TemporalEnv): Promise<NativeConnection> {
  return NativeConnection.connect(temporalConnectionOptions(env) as NativeConnectionOptions);
}
