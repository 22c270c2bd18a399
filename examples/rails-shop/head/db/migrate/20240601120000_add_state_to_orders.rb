class AddStateToOrders < ActiveRecord::Migration[7.1]
  class Order < ActiveRecord::Base
    self.table_name = "orders"
  end

  def up
    add_column :orders, :state, :string, limit: 20
    Order.reset_column_information
    Order.where(status: %w[open paid]).update_all("state = status")
    Order.where(status: "cancelled").update_all(state: "cancelled")
    change_column_null :orders, :state, false
    add_index :orders, :state
  end

  def down
    remove_column :orders, :state
  end
end
