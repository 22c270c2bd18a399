class NormalizeOrderStatus < ActiveRecord::Migration[7.1]
  def up
    execute <<~SQL
      SET lock_timeout = '5s';
      UPDATE orders
      SET status = lower(status)
    SQL
  end

  def down
    raise ActiveRecord::IrreversibleMigration
  end
end
