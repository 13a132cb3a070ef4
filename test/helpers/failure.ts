import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';

/** The typed failure a workflow ended with (fails the test when it did not fail that way). */
export function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  return typedCause(promise, WorkflowFailedError);
}

/** The typed failure an Update was refused (by its validator) or failed with. */
export function updateFailureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  return typedCause(promise, WorkflowUpdateFailedError);
}

async function typedCause(
  promise: Promise<unknown>,
  kind: typeof WorkflowFailedError | typeof WorkflowUpdateFailedError,
): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(kind);
  const cause = (error as WorkflowFailedError | WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}
