'use strict';

module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.bulkUpdate('orders', { state: 'open' }, { state: null });
    await queryInterface.changeColumn('orders', 'state', {
      type: Sequelize.STRING,
      allowNull: false,
    });
  },

  async down(queryInterface, Sequelize) {
    await queryInterface.changeColumn('orders', 'state', {
      type: Sequelize.STRING,
      allowNull: true,
    });
  },
};
