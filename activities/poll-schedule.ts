/** A RUNNING task's progress as one poll saw it. */
export interface ProgressSample {
  progress: number;
  /** Epoch ms of the poll. */
  at: number;
}

/** Poll this long after the predicted end, as a share of the poll interval (at least MIN_MARGIN_MS). */
const PREDICTION_MARGIN = 0.05;
const MIN_MARGIN_MS = 50;
/** Never poll sooner than this share of the interval, however close the prediction says the end is. */
const MIN_POLL_FRACTION = 0.25;

/**
 * The wait before the next poll when Runway's progress over the last two polls predicts the end
 * (undefined without a prediction: the caller's jittered interval then): the regular interval, or less when the task ends sooner — then just after the predicted end, so a finished task's lease is
 * handed on within a fraction of a poll instead of half a poll on average. The early poll takes the
 * place of the regular one, so a generation costs no more GETs.
 *
 * No wait is shorter than `floorMs` (Runway: no updates more often than every 5 s). An end predicted
 * past the next regular poll is prepared for instead: the next poll comes one floor before the end (never
 * sooner than the floor), so the one after it can land on the end. Without that, an end falling just
 * after a regular poll would wait a whole floor before its lease is handed on.
 */
export function nextPollDelay(
  regularMs: number,
  previous: ProgressSample | undefined,
  latest: ProgressSample | undefined,
  floorMs = 0,
): number | undefined {
  const floor = Math.max(floorMs, regularMs * MIN_POLL_FRACTION);
  if (!previous || !latest || latest.progress <= previous.progress || latest.at <= previous.at) return undefined;
  const progressPerMs = (latest.progress - previous.progress) / (latest.at - previous.at);
  const predictedRemainingMs = (1 - latest.progress) / progressPerMs;
  const endMs = predictedRemainingMs + Math.max(regularMs * PREDICTION_MARGIN, MIN_MARGIN_MS);
  if (endMs <= regularMs) return Math.max(endMs, floor);
  return Math.max(floor, Math.min(regularMs, endMs - floorMs));
}
