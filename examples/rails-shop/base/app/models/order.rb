class Order < ApplicationRecord
  belongs_to :user

  enum :status, { open: "open", paid: "paid", refunded: "refunded", cancelled: "cancelled" }, validate: true
end
