/**
 * The one error family copra raises on purpose. Its message is what the user reads: it names the
 * file, table or row at fault and the fix. The CLI prints it on one line and exits with `exitCode`;
 * anything else that escapes is a bug and keeps its stack trace.
 */
export class CopraError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 2,
  ) {
    super(message);
    this.name = 'CopraError';
  }
}
