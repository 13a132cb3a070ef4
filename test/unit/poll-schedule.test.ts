import { nextPollDelay } from '../../activities/poll-schedule';

describe('nextPollDelay', () => {
  const regularMs = 8_000;

  it('predicts nothing without two RUNNING samples that show progress (the caller keeps its interval)', () => {
    expect(nextPollDelay(regularMs, undefined, { progress: 0.5, at: 10_000 })).toBeUndefined();
    expect(nextPollDelay(regularMs, { progress: 0.5, at: 2_000 }, { progress: 0.5, at: 10_000 })).toBeUndefined();
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

  it('never waits less than the floor, the predicted-end poll included', () => {
    // The end is predicted 2.4 s away; the floor is 5 s.
    expect(nextPollDelay(regularMs, { progress: 0.5, at: 0 }, { progress: 0.9, at: 8_000 }, 5_000)).toBe(5_000);
  });

  it('an end past the next regular poll: polls one floor before it, so the poll after lands on the end', () => {
    // 0.1 per 8 s: 0.15 left takes 12 s; with the margin the end is 12.4 s away; 12.4 − 5 = 7.4 s.
    expect(nextPollDelay(regularMs, { progress: 0.75, at: 0 }, { progress: 0.85, at: 8_000 }, 5_000)).toBeCloseTo(7_400, 5);
    // 8.4 s away: one floor before it would be 3.4 s, sooner than the floor, so the floor.
    expect(nextPollDelay(regularMs, { progress: 0.8, at: 0 }, { progress: 0.9, at: 8_000 }, 5_000)).toBeCloseTo(5_000, 5);
    // Far away: the regular interval.
    expect(nextPollDelay(regularMs, { progress: 0.1, at: 0 }, { progress: 0.2, at: 8_000 }, 5_000)).toBe(regularMs);
  });
});
