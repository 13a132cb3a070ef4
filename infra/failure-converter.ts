import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Loaded by path (DataConverter.failureConverterPath) in the worker, the workflow bundle and the clients:
 * a failure's message and stack trace move into an encoded payload, so the payload codec encrypts them
 * too (a PromptRejected message quotes the prompt's blocked term; a stack trace can quote inputs).
 * Only used when a codec key is configured: without one the SDK's default converter stays.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
