ActiveRecord::Schema[7.1].define(version: 2024_05_01_000000) do
  enable_extension "plpgsql"

  create_table "users", force: :cascade do |t|
    t.string "email", null: false
    t.string "name"
    t.datetime "created_at", null: false
    t.datetime "updated_at", null: false
    t.index ["email"], name: "index_users_on_email", unique: true
  end

  create_table "orders", force: :cascade do |t|
    t.bigint "user_id", null: false
    t.string "status", limit: 20
    t.integer "total_cents"
    t.decimal "total", precision: 10, scale: 2
    t.string "legacy_code"
    t.datetime "created_at", null: false
  end

  add_foreign_key "orders", "users"
end
