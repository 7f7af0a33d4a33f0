/**
 * The kept-up rate by a short search: up by ×1.25 while steps pass, down by ÷1.25 while they
 * fail, then halving the bracket (geometrically) until it is within `precision`; rates are
 * multiples of `granularity`. Each system under test gets its own search; the caller runs their
 * steps alternately.
 */
export class RateSearch {
  /** Highest rate that passed, lowest that failed. */
  private passed: number | undefined;
  private failed: number | undefined;
  private readonly tried = new Map<number, boolean>();

  constructor(
    private readonly startRate: number,
    private readonly precision = 0.08,
    private readonly granularity = 50,
  ) {}

  /** The highest rate that passed (the kept-up rate), if any did. */
  get keptUp(): number | undefined {
    return this.passed;
  }

  record(rate: number, pass: boolean): void {
    this.tried.set(rate, pass);
    if (pass) this.passed = Math.max(this.passed ?? 0, rate);
    else this.failed = Math.min(this.failed ?? Infinity, rate);
    // A failure below a pass (noise near the limit): the pass above it no longer counts.
    if (this.passed !== undefined && this.failed !== undefined && this.failed <= this.passed) {
      const below = [...this.tried].filter(([r, ok]) => ok && r < (this.failed ?? 0));
      this.passed = below.length > 0 ? Math.max(...below.map(([r]) => r)) : undefined;
    }
  }

  /** The next rate to try, or undefined once the bracket is narrow enough. */
  next(): number | undefined {
    const { passed, failed } = this;
    if (passed === undefined && failed === undefined) return this.round(this.startRate);
    if (failed === undefined) return this.fresh(this.round((passed ?? 0) * 1.25));
    if (passed === undefined) {
      const lower = this.round(failed / 1.25);
      return lower >= this.granularity && lower < failed ? lower : undefined;
    }
    if (failed / passed <= 1 + this.precision) return undefined;
    const middle = this.round(Math.sqrt(passed * failed));
    return middle > passed && middle < failed ? middle : undefined;
  }

  private fresh(rate: number): number | undefined {
    return this.tried.has(rate) ? undefined : rate;
  }

  private round(rate: number): number {
    return Math.max(this.granularity, Math.round(rate / this.granularity) * this.granularity);
  }
}
