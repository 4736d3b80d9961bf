/** Runs a long-lived command until SIGINT/SIGTERM, then closes everything it started, once. */
export function runUntilSignal(closers: (() => Promise<void> | void)[], onExit?: () => void): void {
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    process.stderr.write(`\n${signal}: stopping\n`);
    for (const close of closers.reverse()) {
      try {
        await close();
      } catch (err) {
        process.stderr.write(`while stopping: ${String(err)}\n`);
      }
    }
    onExit?.();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}
