// What every deployment has: the request log, security headers, CORS, the JSON
// body parser of the API, the home page and /health.
import cors from 'cors';
import helmet from 'helmet';
import { pino } from 'pino';
import { pinoHttp } from 'pino-http';

import { PROJECT_TITLE } from './config.js';
import { escapeHtml, jsonBody, methodNotAllowed } from './http.js';

/** Make GET /health report `name` as "ok" or "unreachable"; `check` resolves true when it answers. */
export function addHealthCheck(app, name, check) {
  app.locals.healthChecks.set(name, check);
}

const pathOf = (req) => (req.originalUrl ?? req.url).split('?')[0];

/**
 * One line per request on stdout at level info: method, path without the query
 * string, status and duration. No header, body, token or password is logged.
 */
export function createLogger(config) {
  return pino(
    {
      level: config.logLevel,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      base: undefined,
    },
    config.logStream ?? pino.destination({ dest: 1, sync: true }),
  );
}

function requestLog(logger) {
  return pinoHttp({
    logger,
    genReqId: () => undefined,
    quietReqLogger: true,
    customAttributeKeys: { responseTime: 'duration_ms' },
    serializers: {
      req: (req) => ({ method: req.method, path: pathOf(req.raw ?? req) }),
      res: (res) => ({ status: res.statusCode }),
      err: pino.stdSerializers.err,
    },
    customLogLevel: (req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessMessage: (req, res, ms) => `${req.method} ${pathOf(req)} ${res.statusCode} ${Math.round(ms)}ms`,
    customErrorMessage: (req, res) => `${req.method} ${pathOf(req)} ${res.statusCode} (connection closed early)`,
  });
}

/**
 * helmet's headers, with framing denied and no HSTS by default: HSTS only for a
 * request that came over HTTPS through the trusted proxy (BEHIND_PROXY=true).
 */
function securityHeaders(config) {
  const headers = helmet({
    contentSecurityPolicy: {
      directives: { 'frame-ancestors': ["'none'"], 'upgrade-insecure-requests': null },
    },
    frameguard: { action: 'deny' },
    // Not no-referrer: with it, browsers send `Origin: null` on same-origin form
    // posts, and the admin's CSRF check refuses those.
    referrerPolicy: { policy: 'same-origin' },
    strictTransportSecurity: false,
  });
  return (req, res, next) => {
    if (config.behindProxy && req.secure) {
      res.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    }
    headers(req, res, next);
  };
}

/** CORS for the origins of CORS_ORIGINS only; other origins get no Access-Control-* header. */
function corsFor(origins) {
  const allowed = new Set(origins);
  const handler = cors({
    origin: (origin, callback) => callback(null, allowed.has(origin) ? origin : false),
    methods: ['GET', 'HEAD', 'POST', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type'],
    exposedHeaders: ['Link', 'Location', 'Retry-After', 'WWW-Authenticate', 'X-Total-Count'],
    maxAge: 600,
  });
  return (req, res, next) => {
    res.vary('Origin');
    handler(req, res, next);
  };
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
    <p>The service is running. Its health is at <a href="/health">/health</a>,
    its API is described at <a href="/docs">/docs</a>.</p>
  </main>
</body>
</html>
`;
}

/** The request log, security headers, CORS, the API body parser, the home page and /health. */
export function setup(app, config) {
  const logger = createLogger(config);
  app.locals.logger = logger;
  app.locals.healthChecks = new Map();
  app.use(requestLog(logger));
  app.use(securityHeaders(config));
  if (config.corsOrigins.length > 0) app.use(corsFor(config.corsOrigins));
  app.use('/api', jsonBody());

  app
    .route('/')
    .get((req, res) => res.type('html').send(homePage(PROJECT_TITLE)))
    .all(methodNotAllowed);

  // No auth, no rate limit, no host check: the container HEALTHCHECK asks it on 127.0.0.1.
  app
    .route('/health')
    .get(async (req, res) => {
      const body = { status: 'ok' };
      for (const [name, check] of app.locals.healthChecks) {
        const ok = await check().catch(() => false);
        body[name] = ok ? 'ok' : 'unreachable';
        if (!ok) body.status = 'error';
      }
      res.set('Cache-Control', 'no-store');
      res.status(body.status === 'ok' ? 200 : 503).json(body);
    })
    .all(methodNotAllowed);
}
