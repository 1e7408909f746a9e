// How every answer is shaped: JSON errors, 404, 405, 415 and the error handler.
import express from 'express';

/** Request bodies larger than this are refused with 413. */
export const BODY_LIMIT = 1024 * 1024;

export const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Errors are JSON for the API, /health, /openapi.json and clients that prefer JSON; HTML elsewhere. */
export function wantsJson(req) {
  const path = req.originalUrl.split('?')[0];
  if (path === '/api' || path.startsWith('/api/') || path === '/health' || path === '/openapi.json') return true;
  return req.accepts(['html', 'json']) === 'json';
}

/** Answer `status` with `{"error": message}`, or a small HTML page when the client wants one. */
export function sendError(req, res, status, message, detail = '') {
  if (wantsJson(req)) {
    res.status(status).json({ error: message });
    return;
  }
  res
    .status(status)
    .type('html')
    .send(`<!doctype html>\n<title>${escapeHtml(message)}</title>\n<h1>${escapeHtml(message)}</h1>\n${detail}`);
}

/** The last handler of every route: a method the route does not have is 405 with Allow. */
export function methodNotAllowed(req, res) {
  const allowed = req.route._methods().filter((method) => method !== 'OPTIONS');
  res.set('Allow', [...allowed, 'OPTIONS'].join(', '));
  if (req.method === 'OPTIONS') {
    res.status(204).end();
    return;
  }
  sendError(req, res, 405, 'method not allowed');
}

/** JSON bodies up to 1 MiB; any JSON value is parsed, handlers say 422 when it is not an object. */
export function jsonBody() {
  return express.json({ limit: BODY_LIMIT, strict: false, type: ['application/json', 'application/*+json'] });
}

/** Middleware for endpoints that take a JSON body: any other content type is 415. */
export function requireJson(req, res, next) {
  if (req.is(['application/json', 'application/*+json']) === false) {
    sendError(req, res, 415, 'send the body as application/json');
    return;
  }
  next();
}

/** True when `body` is a JSON object (not an array, not null). */
export const isObject = (body) => body !== null && typeof body === 'object' && !Array.isArray(body);

// What a client did wrong, from the errors body-parser and the router raise.
const CLIENT_ERRORS = {
  'entity.parse.failed': 'malformed JSON',
  'entity.too.large': `request body too large (at most ${BODY_LIMIT} bytes)`,
  'charset.unsupported': 'unsupported charset',
  'encoding.unsupported': 'unsupported content encoding',
  'request.aborted': 'request aborted',
};

/** 404 for every path nothing answered, then the error handler: no stack trace unless NODE_ENV=development. */
export function handleErrors(app, config) {
  app.use((req, res) => sendError(req, res, 404, 'not found'));

  // Express recognises error handlers by their four parameters.
  app.use((error, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    // A malformed %-escape in a path names nothing that exists.
    if (error instanceof URIError) {
      sendError(req, res, 404, 'not found');
      return;
    }
    const given = error.status ?? error.statusCode;
    const status = Number.isInteger(given) && given >= 400 && given < 600 ? given : 500;
    if (status >= 500) {
      (req.log ?? console).error({ err: error }, 'unhandled error');
      const detail = config.env === 'development' ? `<pre>${escapeHtml(error.stack)}</pre>\n` : '';
      sendError(req, res, status, 'internal server error', detail);
      return;
    }
    const message = CLIENT_ERRORS[error.type] ?? (error.expose ? error.message : 'bad request');
    sendError(req, res, status, message);
  });
}
