exports.up = (knex) =>
  knex.schema.createTable('orders', (t) => {
    t.bigIncrements('id');
    t.string('state').notNullable().defaultTo('open');
    t.string('legacy_code');
  });

exports.down = (knex) => knex.schema.dropTable('orders');
