// The example resource. Migrations are ordered by file name; add new ones with
// `npx knex migrate:make NAME --knexfile knexfile.js` and commit them.

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.createTable('items', (table) => {
    table.increments('id');
    table.string('name', 200).notNullable();
    // timestamptz on PostgreSQL, DATETIME(3) holding UTC on MySQL (the driver
    // reads and writes UTC), epoch milliseconds on SQLite.
    table.datetime('created_at', { useTz: true, precision: 3 }).notNullable();
  });
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.schema.dropTable('items');
}
