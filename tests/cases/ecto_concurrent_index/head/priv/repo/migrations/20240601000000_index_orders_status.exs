defmodule Shop.Repo.Migrations.IndexOrdersStatus do
  use Ecto.Migration
  @disable_ddl_transaction true

  def change do
    execute "SET lock_timeout TO '5s'", "SET lock_timeout TO DEFAULT"
    create index(:orders, [:status], concurrently: true)
  end
end
