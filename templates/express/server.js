// The production entry point: `npm start` (node server.js). Listens on PORT
// (default 3000) and shuts down cleanly on SIGTERM and SIGINT.
import { loadConfig, loadDotEnv } from './src/config.js';

// .env first: some libraries read NODE_ENV when they are imported.
loadDotEnv();
const { createApp, closeApp } = await import('./app.js');

const config = loadConfig();
let app;
try {
  app = createApp(config);
} catch (error) {
  console.error(`error: ${error.message}`);
  process.exit(1);
}

const server = app.listen(config.port, () => {
  console.log(`Listening on http://localhost:${config.port} (${config.env})`);
});
server.on('error', (error) => {
  console.error(`error: ${error.message}`);
  process.exit(1);
});

let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`${signal} received: closing the server`);
  // Do not hang on slow clients: force the exit after 10 s.
  setTimeout(() => process.exit(1), 10_000).unref();
  server.close();
  server.closeIdleConnections();
  await closeApp(app);
  process.exit(0);
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
