class WidenOrderTotal < ActiveRecord::Migration[7.1]
  def up
    execute "SET lock_timeout = '5s'"
    change_column :orders, :total_cents, :bigint
    change_column :orders, :status, :string, limit: 40
  end

  def down
    change_column :orders, :total, :decimal, precision: 10, scale: 2
  end
end
