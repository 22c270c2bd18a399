ActiveRecord::Schema[7.1].define(version: 2026_11_02_104500) do
  create_table "orders" do |t|
    t.string "legacy_status"
  end
end
