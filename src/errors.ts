/**
 * The one error family copra raises on purpose. Its message is what the user reads: it names the
 * file, table or row at fault and the fix. The CLI prints it on one line and exits with `exitCode`;
 * anything else that escapes is a bug and keeps its stack trace.
 */
export class CopraError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 2,
    /** What went wrong underneath, kept for whoever debugs it (the CLI prints only the message). */
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CopraError';
  }
}

/** What a build stopped by a signal rejects with, until the build turns it into a CopraError. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}
