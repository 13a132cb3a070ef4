/**
 * Simulated time: `timeScale` simulated seconds pass per real second.
 * Changing the scale keeps simulated time continuous; timers already set keep their real delay.
 */
export class SimClock {
  private anchorRealMs = Date.now();
  private anchorSimSeconds = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private scale: number) {}

  /** Simulated seconds since the clock started. */
  now(): number {
    return this.anchorSimSeconds + ((Date.now() - this.anchorRealMs) / 1000) * this.scale;
  }

  get timeScale(): number {
    return this.scale;
  }

  setTimeScale(scale: number): void {
    this.anchorSimSeconds = this.now();
    this.anchorRealMs = Date.now();
    this.scale = scale;
  }

  realMsFor(simSeconds: number): number {
    return (simSeconds * 1000) / this.scale;
  }

  /** Run `action` after `simSeconds` of simulated time. */
  after(simSeconds: number, action: () => void): NodeJS.Timeout {
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        action();
      },
      Math.min(this.realMsFor(simSeconds), 2 ** 31 - 1),
    );
    this.timers.add(timer);
    return timer;
  }

  cancel(timer: NodeJS.Timeout | undefined): void {
    if (!timer) return;
    clearTimeout(timer);
    this.timers.delete(timer);
  }

  cancelAll(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
