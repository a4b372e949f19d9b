export interface CliOutput {
  /** Normal output (stdout). */
  out(text: string): void;
  /** Errors and usage (stderr), as zkCli does. */
  err(text: string): void;
}
