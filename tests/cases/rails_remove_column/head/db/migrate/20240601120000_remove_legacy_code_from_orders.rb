class RemoveLegacyCodeFromOrders < ActiveRecord::Migration[7.1]
  def change
    safety_assured { execute "SET lock_timeout = '5s'" }
    remove_column :orders, :legacy_code
  end
end
