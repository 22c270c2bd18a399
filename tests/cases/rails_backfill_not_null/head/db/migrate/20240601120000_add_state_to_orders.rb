class AddStateToOrders < ActiveRecord::Migration[7.1]
  class Order < ActiveRecord::Base
    self.table_name = "orders"
  end

  def up
    add_column :orders, :state, :string
    Order.reset_column_information
    Order.where(state: nil).update_all(state: "open")
    change_column_null :orders, :state, false
  end

  def down
    remove_column :orders, :state
  end
end
