/**
 * Errors that end a command, each with the exit code cli-contract.md fixes:
 * 1 an invalid spec (or a failed test), 2 invalid command-line input, 3 unreadable input.
 * Messages are one line naming the file, the place and the fix.
 */
export class SpecError extends Error {
  readonly exitCode = 1;
  constructor(message: string) {
    super(message);
    this.name = 'SpecError';
  }
}

export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export class InputError extends Error {
  readonly exitCode = 3;
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

export function exitCodeOf(error: unknown): number {
  if (error instanceof SpecError || error instanceof UsageError || error instanceof InputError) return error.exitCode;
  return 3;
}
