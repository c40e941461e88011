import type { Server } from 'node:http';
import mongoose from 'mongoose';
import { createApp } from './app.ts';
import { jobs } from './capabilities.ts';
import { ConfigError, loadConfig, loadDotEnvFile, type Config } from './config/env.ts';
import { connectDatabase, type DatabaseHandle } from './db/connection.ts';
import { seedDemoDistrict, type DemoLogin } from '../seed/index.ts';
import { ensureBootstrapAdmin } from './identity/index.ts';
import { JobRunner, Scheduler } from './jobs/index.ts';
import { logger, setLogLevel } from './shared/logger.ts';
import { handlersFinished } from './shared/http/route.ts';
import { useAuditKey } from './audit/index.ts';
import { backfillNotificationSubjectIds } from './notifications/index.ts';
import { runDataFixOnce } from './db/run-once.ts';

// Start order: config → database → indexes → app → jobs. Shutdown runs it backwards.

async function main(): Promise<void> {
  const config = readConfigOrExit();
  setLogLevel(config.logLevel);

  const database = await connectDatabase(config, logger);
  if (config.env !== 'production') {
    await Promise.all(Object.values(mongoose.models).map((model) => model.init()));
    // Production does this in the deploy step (db:sync-indexes), with the indexes.
    // Once per database: every notification written since carries the field.
    const backfilled = await runDataFixOnce('notifications.subjectId', backfillNotificationSubjectIds);
    if (backfilled) logger.info({ backfilled }, 'notifications given their subjectId');
  }
  await ensureBootstrapAdmin(config, logger);
  // Before anything writes to the audit chain (the demo seed does), not only when the app is made.
  useAuditKey(config.auditKey);
  if (config.seedDemo) printDemoLogins(await seedDemoDistrict(config));

  const jobRunner = new JobRunner(config, logger, jobs);
  const app = createApp({ config, jobRunner });
  const server = await listen(app, config);
  const scheduler = new Scheduler(jobRunner);
  if (config.jobsEnabled) scheduler.start();

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    void stop(server, scheduler, database, config).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** The demo logins go to stdout, not the log: they are for the person who ran `npm start`. */
function printDemoLogins(logins: DemoLogin[]): void {
  const rows = logins.map((login) => `  ${login.role.padEnd(16)} ${login.username.padEnd(18)} ${login.password}   ${login.displayName}`);
  process.stdout.write(`\nDemo district loaded (SEED_DEMO). Sign in with:\n  ${'role'.padEnd(16)} ${'username'.padEnd(18)} password\n${rows.join('\n')}\n\n`);
}

function readConfigOrExit(): Config {
  try {
    loadDotEnvFile();
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee .env.example for every variable.\n`);
      process.exit(1);
    }
    throw error;
  }
}

function listen(app: ReturnType<typeof createApp>, config: Config): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(config.port, config.host, (error?: Error) => {
      if (error) return reject(error);
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      logger.info({ host: config.host, port }, `Starlight Care listening on http://${config.host}:${port} (docs at /docs)`);
      resolve(server);
    });
  });
}

/** Stop taking requests, let in-flight ones finish, stop jobs, close the database, stop FerretDB. */
async function stop(server: Server, scheduler: Scheduler, database: DatabaseHandle, config: Config): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const forceTimer = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
  await closed;
  clearTimeout(forceTimer);
  // A client that gave up closed its socket, but its handler may still be reading: the database
  // closes only after those too (or the timeout), never under them.
  await handlersFinished(config.shutdownTimeoutMs);
  await scheduler.stop(config.shutdownTimeoutMs);
  await database.close();
  logger.info('stopped');
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'start failed');
  process.exit(1);
});
