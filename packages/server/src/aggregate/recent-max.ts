/**
 * The largest value noted over the current period and the one before: a figure that rises at once and falls
 * back only after a whole period without the high value (how late a service's data arrives, say). Two full
 * periods without a note read 0.
 */
export class RecentMax {
  private current = 0;
  private previous = 0;

  constructor(
    private readonly period: number,
    private since: number,
  ) {}

  note(value: number, now: number): void {
    this.roll(now);
    this.current = Math.max(this.current, value);
  }

  value(now: number): number {
    this.roll(now);
    return Math.max(this.current, this.previous);
  }

  private roll(now: number): void {
    const periods = Math.floor((now - this.since) / this.period);
    if (periods < 1) return;
    this.previous = periods === 1 ? this.current : 0;
    this.current = 0;
    this.since += periods * this.period;
  }
}
