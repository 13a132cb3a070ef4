import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, codecKeysFromEnv, type CodecKeys } from './payload-codec';

/**
 * The module exporting the failure converter. Workflow code runs in a bundle, which loads it by path
 * (bundleWorkflowCode's failureConverterPath, or Worker.create's when it bundles itself); the worker's
 * activities and the clients load the same path, so every side encodes and decodes failures alike.
 */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/**
 * The one data converter of the product, for the worker, the typed client, the CLI and schedules:
 * with codec keys every payload (inputs, results, memos, summaries, heartbeats, queries, signals) and every
 * failure's message and stack trace are AES-256-GCM encrypted; without keys, undefined: the SDK defaults.
 * Search attributes are never encoded (the server indexes them): they carry ids, models and states only.
 */
export function productDataConverter(keys: CodecKeys | undefined): DataConverter | undefined {
  if (!keys) return undefined;
  return { payloadCodecs: [new AesGcmPayloadCodec(keys)], failureConverterPath: FAILURE_CONVERTER_PATH };
}

/** The data converter from PAYLOAD_CODEC_KEYS / PAYLOAD_CODEC_KEY_FILE (see codecKeysFromEnv). */
export function dataConverterFromEnv(env: NodeJS.ProcessEnv = process.env): DataConverter | undefined {
  return productDataConverter(codecKeysFromEnv(env));
}

/** Options for bundleWorkflowCode so a pre-built bundle encodes failures as the worker's converter does. */
export function bundleConverterOptions(dataConverter: DataConverter | undefined): { failureConverterPath?: string } {
  return dataConverter?.failureConverterPath ? { failureConverterPath: dataConverter.failureConverterPath } : {};
}
