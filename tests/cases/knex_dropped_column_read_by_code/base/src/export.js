module.exports = async function exportOrders(db) {
  const rows = await db('orders').select('id', 'legacy_code');
  return rows.map((row) => `${row.id};${row.legacy_code}`);
};
