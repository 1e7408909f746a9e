// The production entry point: `npm start` (node server.js). Listens on PORT
// (default 3000) and shuts down cleanly on SIGTERM and SIGINT.
import { loadDotEnv } from './src/config.js';

// .env first: some libraries read NODE_ENV when they are imported. Unset means
// production: error details are shown only with NODE_ENV=development.
loadDotEnv();
process.env.NODE_ENV ||= 'production';
const { closeApp, createApp } = await import('./app.js');

let app;
try {
  app = createApp();
} catch (error) {
  console.error(`error: ${error.message}`);
  process.exit(1);
}
const { config, logger } = app.locals;

const server = app.listen(config.port, () => {
  logger.info(`listening on http://localhost:${config.port} (NODE_ENV=${config.env})`);
});
server.on('error', (error) => {
  logger.error(`error: ${error.message}`);
  process.exit(1);
});

let stopping = false;
function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  logger.info(`${signal} received: finishing the requests in progress, then exiting`);
  // Do not hang on slow clients: force the exit after 10 s.
  setTimeout(() => process.exit(1), 10_000).unref();
  // Requests in progress still have the database; it closes when the last one is answered.
  server.close(async () => {
    await closeApp(app);
    process.exit(0);
  });
  server.closeIdleConnections();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
