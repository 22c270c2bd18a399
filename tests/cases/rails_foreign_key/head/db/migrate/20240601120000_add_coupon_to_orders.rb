class AddCouponToOrders < ActiveRecord::Migration[7.1]
  disable_ddl_transaction!

  def change
    # migration-review: ignore missing-lock-timeout the runner sets lock_timeout for every migration
    add_reference :orders, :coupon, index: { algorithm: :concurrently }
    add_foreign_key :orders, :coupons
  end
end
