class RemoveLegacyStatus < ActiveRecord::Migration[7.1]
  # legacy_status was replaced by state_id
  def change
    remove_column :orders, :legacy_status, :string
  end
end
