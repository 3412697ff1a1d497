import { buildApp } from './app.ts';
import { listenNotice } from './auth/config-options.ts';
import { ConfigError, parseConfig, usage, VERSION } from './config.ts';
import { prettyLogStream } from './log-format.ts';
import { describeListenError, portProblem } from './port-check.ts';
import { describeDatabase } from './store/open-store.ts';
import { DatabaseFileError } from './store/sqlite/database-file.ts';

/** A start that cannot go on for a reason the user can fix: one line, no stack trace, exit code 1. */
function fail(message: string, code = 1): never {
  process.stderr.write(`pulseboard: ${message}\n`);
  process.exit(code);
}

/** Entry point: config -> buildApp -> listen; a clean shutdown on SIGTERM/SIGINT commits what is queued. */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  if (args.includes('--version')) {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  let config: ReturnType<typeof parseConfig>;
  try {
    config = parseConfig(args, process.env);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message, 2);
    throw error;
  }
  const busy = config.port === 0 ? null : await portProblem(config.host, config.port);
  if (busy) fail(busy);
  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    // Human-readable lines in a terminal; JSON lines for a log collector.
    app = await buildApp(config, { logStream: process.stdout.isTTY ? prettyLogStream(process.stdout) : undefined });
  } catch (error) {
    // Options checked when their plugin starts (a `--rules` file) fail the same way as flags, and so does a
    // database file that cannot be used (locked by another server, not a database, not writable).
    if (error instanceof ConfigError || error instanceof DatabaseFileError) fail(error.message, 2);
    throw error;
  }
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info(`${signal}: shutting down`);
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    const reason = describeListenError(error as NodeJS.ErrnoException, config.host, config.port);
    if (!reason) throw error;
    await app.close();
    fail(reason);
  }
  const notice = listenNotice(config);
  if (notice.warn) app.log.warn(notice.message);
  else app.log.info(notice.message);
  app.log.info(
    `Pulseboard serving http://localhost:${config.port} (database ${describeDatabase(config.db)}${config.demo ? ', demo on' : ''})`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`pulseboard: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
