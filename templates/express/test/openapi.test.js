// The OpenAPI document (src/openapi.js and src/*.openapi.js) against the routes of the app.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import request from 'supertest';

import { startApp, stopApp } from './helpers.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

let app;
let document;
before(async () => {
  app = await startApp();
  document = (await request(app).get('/openapi.json')).body;
});
after(async () => {
  await stopApp(app);
});

/** "METHOD /path" of every route of the app's routers (router.listRoutes(), Express 5 / router 2.3). */
function routesOf(router, prefix = '') {
  assert.equal(typeof router.listRoutes, 'function', 'router.listRoutes() needs router >= 2.3 (npm update express)');
  const found = [];
  for (const { path, methods, router: child } of router.listRoutes()) {
    assert.equal(typeof path, 'string', `a route path that is not a string: ${path}`);
    const full = prefix + (prefix && path === '/' ? '' : path);
    if (child) found.push(...routesOf(child, full));
    else found.push(...methods.filter((method) => !['*', 'HEAD'].includes(method)).map((method) => `${method} ${full}`));
  }
  return found;
}

function documented() {
  const operations = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS.filter((name) => item[name])) {
      operations.push(`${method.toUpperCase()} ${path.replace(/{(\w+)}/g, ':$1')}`);
    }
  }
  return operations;
}

test('the document is OpenAPI 3 and names the project', () => {
  assert.match(document.openapi, /^3\.\d+\.\d+$/);
  assert.ok(document.info.title);
  assert.ok(document.info.version);
});

test('every /api route of the app is in the document, and every operation is a route', () => {
  const routes = routesOf(app.router).filter((route) => / \/api(\/|$)/.test(route));
  assert.deepEqual([...routes].sort(), documented().sort());
});

test('every $ref of the document resolves', () => {
  const refs = JSON.stringify(document).match(/"\$ref":"[^"]+"/g) ?? [];
  for (const ref of refs) {
    const pointer = ref.slice('"$ref":"#/'.length, -1).split('/');
    const target = pointer.reduce((node, key) => node?.[key], document);
    assert.ok(target, ref);
  }
});

test('every operation describes its answers, with JSON bodies', () => {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS.filter((name) => item[name])) {
      const { responses, security } = item[method];
      assert.ok(Object.keys(responses).some((status) => status.startsWith('2')), `${method} ${path}`);
      if (security) {
        assert.ok(document.components.securitySchemes.bearerAuth, 'bearerAuth scheme');
        assert.ok(responses['401'], `${method} ${path} needs a token: 401 documented`);
      }
    }
  }
  if (Object.keys(document.paths).some((path) => path.startsWith('/api/auth'))) {
    assert.deepEqual(document.components.securitySchemes.bearerAuth, { type: 'http', scheme: 'bearer' });
  }
});

test('/docs is Swagger UI served by the app: no other host, every asset answers', async () => {
  const page = await request(app).get('/docs');
  assert.equal(page.status, 200);
  assert.match(page.headers['content-type'], /^text\/html/);
  assert.doesNotMatch(page.text, /(src|href)="(https?:)?\/\//);
  const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
  assert.ok(assets.length >= 3, assets.join(' '));
  for (const asset of assets) {
    assert.equal((await request(app).get(asset)).status, 200, asset);
  }
  assert.match((await request(app).get('/docs/init.js')).text, /\/openapi\.json/);
});
