exports.up = async function (knex) {
  await knex.schema.alterTable('orders', (t) => {
    t.dropColumn('legacy_code');
  });
};

exports.down = async function (knex) {
  await knex.schema.alterTable('orders', (t) => {
    t.string('legacy_code');
  });
};
