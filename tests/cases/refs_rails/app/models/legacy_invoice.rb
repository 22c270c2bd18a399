class LegacyInvoice < ApplicationRecord
  belongs_to :customer
end
