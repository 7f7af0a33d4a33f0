/**
 * What escapes the handlers of a server running in the test's own process: fuzz tests listen
 * while they run and assert that nothing was recorded.
 */
export class CrashRecorder {
  readonly crashes: string[] = [];

  private readonly onRejection = (reason: unknown): void => {
    this.crashes.push(`unhandledRejection: ${String(reason)}`);
  };

  private readonly onException = (error: Error): void => {
    this.crashes.push(`uncaughtException: ${error.stack ?? String(error)}`);
  };

  listen(): void {
    process.on('unhandledRejection', this.onRejection);
    process.on('uncaughtException', this.onException);
  }

  stop(): void {
    process.off('unhandledRejection', this.onRejection);
    process.off('uncaughtException', this.onException);
  }
}
