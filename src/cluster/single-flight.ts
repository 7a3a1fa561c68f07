/**
 * One run at a time of an async job (a topology refresh, a pub/sub reconciliation): calls made
 * while it runs do not start another run in parallel but are folded into a single follow-up round,
 * so a burst of triggers (every command of a moved slot, every lost connection) costs at most two
 * runs. Flags passed by the callers of one round are merged, so a round asked to "refresh first"
 * by any of them does.
 */
const MAX_ROUNDS = 10_000;

export class SingleFlight<F> {
  private running: Promise<void> | undefined;
  private pending: F | undefined;
  private again = false;

  /**
   * @param work one round, given the merged flags of the calls it answers
   * @param merge combines the flags of two calls (default: the later one)
   * @param stop checked between rounds: true ends the loop (e.g. after close())
   */
  constructor(
    private readonly work: (flags: F) => Promise<void>,
    private readonly merge: (a: F, b: F) => F = (_a, b) => b,
    private readonly stop: () => boolean = () => false,
  ) {}

  /** Whether a round is under way. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Runs a round now, or folds into the follow-up round of the one under way; resolves when no round is left. */
  run(flags: F): Promise<void> {
    if (this.running !== undefined) {
      this.pending = this.again ? this.merge(this.pending as F, flags) : flags;
      this.again = true;
      return this.running;
    }
    const loop = async (): Promise<void> => {
      let next = flags;
      try {
        // Each extra round answers calls made during the previous one; the bound only guards a runaway caller.
        for (let round = 0; round < MAX_ROUNDS; round++) {
          this.again = false;
          await this.work(next);
          if (!this.again || this.stop()) break;
          next = this.pending as F;
          this.pending = undefined;
        }
      } finally {
        this.running = undefined;
        this.again = false;
        this.pending = undefined;
      }
    };
    this.running = loop();
    return this.running;
  }
}
