// `npm run migrate`: apply the pending migrations in migrations/ to DATABASE_URL.
import { loadDotEnv } from '../src/config.js';
import { connect, settings } from '../src/database.js';

loadDotEnv();
let db;
try {
  db = connect(settings(process.env).databaseUrl);
  const [batch, applied] = await db.migrate.latest();
  console.log(applied.length ? `Batch ${batch}: applied ${applied.join(', ')}` : 'Already up to date.');
} catch (error) {
  console.error(`error: migration failed: ${error.message}`);
  process.exitCode = 1;
} finally {
  await db?.destroy();
}
