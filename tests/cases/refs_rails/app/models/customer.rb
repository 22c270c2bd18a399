class Customer < ApplicationRecord
  has_many :orders
  has_many :legacy_invoices, dependent: :nullify
end
