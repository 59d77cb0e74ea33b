/**
 * The two ways an expression fails. Both messages are one line in the form
 * `${where}: ${what} at column N in "${source}"`, so a spec error names the spec path, the spot in
 * the expression and, when it can, the fix.
 */

/** The expression cannot be compiled: bad syntax, an unknown function, a wrong argument count. */
export class ExpressionSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpressionSyntaxError';
  }
}

/** The expression failed for one record: a missing field, a type error, no matching overload. */
export class EvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvaluationError';
  }
}

/** Where an expression sits, for messages; every compiled node keeps one and its column. */
export class ExpressionSite {
  constructor(
    readonly where: string,
    readonly source: string,
  ) {}

  /** `at column N in "source"`, with N 1-based. */
  private place(offset: number): string {
    return `at column ${offset + 1} in ${JSON.stringify(this.source)}`;
  }

  syntax(what: string, offset: number): ExpressionSyntaxError {
    return new ExpressionSyntaxError(`${this.where}: ${what} ${this.place(offset)}`);
  }

  /**
   * Records that fail are counted, not fatal, so a bad field can fail once per record. Capturing a
   * stack costs ~2 µs per error against ~0.2 µs without; the stack of an evaluation error points
   * into closures and helps nobody, so it is skipped.
   */
  evaluation(what: string, offset: number): EvaluationError {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return new EvaluationError(`${this.where}: ${what} ${this.place(offset)}`);
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}
