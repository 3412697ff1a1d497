/**
 * Data points refused while converting or storing, for ExportMetricsServiceResponse.partialSuccess: how many
 * (each data point once, however many series it feeds) and why, with one example per reason.
 */
export class Rejections {
  /** `noun` names what is counted: data points, or spans for a trace export. */
  constructor(private readonly noun = 'data point') {}

  private readonly points = new Set<number>();
  private readonly reasons = new Map<string, { count: number; example: string }>();

  reject(point: number, reason: string, example: string): void {
    if (this.points.has(point)) return;
    this.points.add(point);
    const entry = this.reasons.get(reason);
    if (entry) entry.count++;
    else this.reasons.set(reason, { count: 1, example });
  }

  has(point: number): boolean {
    return this.points.has(point);
  }

  get count(): number {
    return this.points.size;
  }

  /** `2 data points rejected: 1 with a non-finite value (metric "x"); 1 ...`, empty when none were. */
  message(): string {
    if (this.points.size === 0) return '';
    const parts = [...this.reasons].map(([reason, { count, example }]) => `${count} ${reason} (${example})`);
    return `${this.points.size} ${this.noun}${this.points.size === 1 ? '' : 's'} rejected: ${parts.join('; ')}`;
  }
}
