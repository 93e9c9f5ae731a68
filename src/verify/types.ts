/**
 * A check is one claim of the theory made executable: a proof (symbolic steps)
 * or a property (numeric cross-check on random inputs). Every check that can
 * carries a sensitivity run: the same check on a deliberately wrong input,
 * which must fail — a check that cannot fail verifies nothing.
 */
export interface CheckContext {
  /** the seed of this check (derived from the run's seed and the check's id) */
  seed: number;
  /** how many random cases a property should try */
  runs: number;
  /** larger samples and more cases */
  thorough: boolean;
  /**
   * Set for a sensitivity run, whose failure is the expected outcome: a
   * property then stops at its first counterexample instead of shrinking it.
   */
  expectFailure?: boolean;
}

export interface CheckOutcome {
  ok: boolean;
  runs: number;
  detail: string;
  /** how it was established: symbolic, numeric-identity, quadrature, exact-sum, monte-carlo, ... */
  method?: string;
  /**
   * Statistical checks: the standardized deviation (estimate − expected) /
   * standard error of every comparison made, in a fixed order (those decided
   * exactly, with a standard error of 0, left out), and the critical value z
   * each was held to; `verify --seeds` collects them to measure calibration.
   * `labels` names what each deviation compares (the same label in another
   * run is the same comparison): a check whose number of statistical
   * comparisons depends on the point drawn must label them; without labels
   * the position is the label.
   */
  statistic?: { deviations: number[]; threshold: number; labels?: string[] };
}

export interface Check {
  /** stable identifier, e.g. `fisher/normal/mean-std/routes`; --filter matches it */
  id: string;
  theorem: string;
  reference: string;
  kind: 'proof' | 'property';
  run(ctx: CheckContext): CheckOutcome;
  sensitivity?: { description: string; run(ctx: CheckContext): CheckOutcome };
}
