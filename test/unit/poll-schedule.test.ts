import { nextPollDelay } from '../../activities/poll-schedule';

describe('nextPollDelay', () => {
  const regularMs = 8_000;

  it('keeps the regular interval without two RUNNING samples that show progress', () => {
    expect(nextPollDelay(regularMs, undefined, { progress: 0.5, at: 10_000 })).toBe(regularMs);
    expect(nextPollDelay(regularMs, { progress: 0.5, at: 2_000 }, { progress: 0.5, at: 10_000 })).toBe(regularMs);
  });

  it('keeps the regular interval when the task will still be running by then', () => {
    // 0.1 per 8 s: 0.7 left takes 56 s.
    expect(nextPollDelay(regularMs, { progress: 0.2, at: 0 }, { progress: 0.3, at: 8_000 })).toBe(regularMs);
  });

  it('polls just after the predicted end when it comes before the next regular poll', () => {
    // 0.4 per 8 s: the last 0.1 takes 2 s; poll 5 % of the interval (400 ms) after it.
    expect(nextPollDelay(regularMs, { progress: 0.5, at: 0 }, { progress: 0.9, at: 8_000 })).toBeCloseTo(2_400, 5);
  });

  it('never polls sooner than a quarter of the interval', () => {
    expect(nextPollDelay(regularMs, { progress: 0.5, at: 0 }, { progress: 0.99, at: 8_000 })).toBe(2_000);
  });
});
