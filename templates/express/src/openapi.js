// The OpenAPI 3 document of the API (GET /openapi.json) and its viewer (GET /docs).
//
// The document is written by hand, beside the routes: each feature adds the
// operations it serves (src/*.openapi.js), and test/openapi.test.js checks that
// every route of the app is in the document and every operation in the document
// is a route. Swagger UI is served from the swagger-ui-dist package: no CDN.
import path from 'node:path';

import swaggerUiPath from 'swagger-ui-dist/absolute-path.js';

import { PROJECT_TITLE } from './config.js';
import { escapeHtml, methodNotAllowed } from './http.js';

const error = (description, headers) => ({
  description,
  ...(headers && { headers }),
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/** The parts every document has: the error bodies and the answers shared by several operations. */
function baseDocument() {
  return {
    openapi: '3.0.3',
    info: {
      title: PROJECT_TITLE,
      version: '0.1.0',
      description: 'JSON in and out. Errors are `{"error": "…"}`; validation errors `{"errors": {"field": ["…"]}}`.',
    },
    paths: {},
    components: {
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: { error: { type: 'string' } },
        },
        ValidationErrors: {
          type: 'object',
          required: ['errors'],
          properties: {
            errors: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
          },
        },
      },
      responses: {
        BadRequest: error('Malformed JSON.'),
        NotFound: error('No such resource.'),
        PayloadTooLarge: error('The body is larger than 1 MiB.'),
        UnsupportedMediaType: error('The body is not application/json.'),
        ValidationFailed: {
          description: 'Invalid input; the keys of `errors` are the fields of the request.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ValidationErrors' } } },
        },
      },
      securitySchemes: {},
    },
  };
}

/** Add a feature's operations (and the components they refer to) to the app's document. */
export function addToDocument(app, { paths = {}, schemas = {}, responses = {}, securitySchemes = {} }) {
  const { document } = app.locals;
  Object.assign(document.paths, paths);
  Object.assign(document.components.schemas, schemas);
  Object.assign(document.components.responses, responses);
  Object.assign(document.components.securitySchemes, securitySchemes);
}

// Only these files of swagger-ui-dist are served (its index.html points at a demo API elsewhere).
const ASSETS = ['swagger-ui.css', 'swagger-ui.css.map', 'swagger-ui-bundle.js', 'swagger-ui-bundle.js.map', 'favicon-32x32.png'];

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(PROJECT_TITLE)} API</title>
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;

// A file rather than an inline script: the Content-Security-Policy allows scripts from this site only.
const INIT_SCRIPT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', validatorUrl: null });\n`;

/** GET /openapi.json, GET /docs and the viewer's files. */
export function setup(app) {
  app.locals.document = baseDocument();
  const root = swaggerUiPath();

  app
    .route('/openapi.json')
    .get((req, res) => res.json(app.locals.document))
    .all(methodNotAllowed);
  app
    .route('/docs')
    .get((req, res) => res.type('html').send(DOCS_PAGE))
    .all(methodNotAllowed);
  app
    .route('/docs/init.js')
    .get((req, res) => res.type('js').send(INIT_SCRIPT))
    .all(methodNotAllowed);
  for (const asset of ASSETS) {
    app
      .route(`/docs/${asset}`)
      .get((req, res) => res.sendFile(path.join(root, asset), { maxAge: '1d' }))
      .all(methodNotAllowed);
  }
}
