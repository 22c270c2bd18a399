class IndexOrdersOnStatus < ActiveRecord::Migration[7.1]
  def change
    add_index :orders, :status, algorithm: :concurrently
  end
end
