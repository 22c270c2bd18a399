'use strict';

module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.createTable('orders', {
      id: { type: Sequelize.BIGINT, primaryKey: true, autoIncrement: true },
      state: { type: Sequelize.STRING },
    });
  },

  async down(queryInterface) {
    await queryInterface.dropTable('orders');
  },
};
