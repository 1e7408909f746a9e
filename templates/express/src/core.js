// What every deployment has: the home page, /health, security headers and errors.
import express from 'express';
import helmet from 'helmet';

import { PROJECT_TITLE } from './config.js';

const escapeHtml = (text) =>
  text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Make GET /health report `name` as "ok" or "unavailable"; `check` resolves true when it answers. */
export function addHealthCheck(app, name, check) {
  app.locals.healthChecks.set(name, check);
}

/** JSON parsing for the API: a body that is not JSON leaves req.body undefined (handlers answer 422). */
function lenientJson() {
  const parse = express.json({ limit: '100kb' });
  return (req, res, next) =>
    parse(req, res, (error) => {
      if (error?.type === 'entity.parse.failed') {
        req.body = undefined;
        return next();
      }
      return next(error);
    });
}

function homePage(title) {
  const safe = escapeHtml(title);
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${safe}</title>
</head>
<body>
  <main>
    <h1>${safe}</h1>
    <p>The service is running. Its health is at <a href="/health">/health</a>.</p>
  </main>
</body>
</html>
`;
}

/** Security headers, the API body parser, the home page and /health. */
export function setup(app) {
  app.locals.healthChecks = new Map();
  app.use(helmet());
  app.use('/api', lenientJson());

  app.get('/', (req, res) => {
    res.type('html').send(homePage(PROJECT_TITLE));
  });

  app.get('/health', async (req, res) => {
    const body = { status: 'ok' };
    for (const [name, check] of app.locals.healthChecks) {
      const ok = await check().catch(() => false);
      body[name] = ok ? 'ok' : 'unavailable';
      if (!ok) body.status = 'error';
    }
    res.status(body.status === 'ok' ? 200 : 503).json(body);
  });
}

/** 404 and error handlers: JSON under /api/, plain HTML elsewhere; no stack traces. */
export function handleErrors(app, config) {
  app.use((req, res) => {
    if (req.path.startsWith('/api/')) {
      res.status(404).json({ error: 'not found' });
    } else {
      res.status(404).type('html').send('<!doctype html><title>Not found</title><h1>Not found</h1>\n');
    }
  });

  // Express recognises error handlers by their four parameters.
  app.use((error, req, res, _next) => {
    const status = error.status ?? error.statusCode ?? 500;
    const expose = status < 500;
    if (!expose) console.error(error);
    const message = expose ? error.message : 'internal server error';
    if (req.path.startsWith('/api/')) {
      res.status(status).json({ error: message });
      return;
    }
    // The stack helps in development; production answers never carry it.
    const detail = config.env === 'development' && !expose ? `<pre>${escapeHtml(String(error.stack))}</pre>` : '';
    res.status(status).type('html').send(`<!doctype html><title>Error</title><h1>${escapeHtml(message)}</h1>${detail}\n`);
  });
}
