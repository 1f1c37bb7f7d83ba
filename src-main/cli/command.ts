/** A CLI sub-command. Commands parse their own flags (node:util parseArgs) and return the process exit code. */
export interface Command {
  name: string;
  /** One line for `terrafuse --help`. */
  summary: string;
  /** Full usage text for `terrafuse <name> --help`. */
  usage: string;
  run(argv: string[]): Promise<number>;
}

/** Thrown for bad flags or input: printed as one line, exit code 2, no stack trace. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
